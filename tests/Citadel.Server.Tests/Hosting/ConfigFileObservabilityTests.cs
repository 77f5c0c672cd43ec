using Citadel.Server.Hosting;
using Citadel.Server.Observability;

namespace Citadel.Server.Tests.Hosting;

[Trait("Issue", "22")]
public sealed class ConfigFileObservabilityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigFile Load(string yaml)
    {
        var path = Path.Combine(_directory, "citadel.yaml");
        File.WriteAllText(path, yaml);
        return ConfigFile.Load(path, _ => null);
    }

    [Fact]
    public void Without_metrics_or_logging_sections_metrics_follow_the_mode_logs_are_text_and_the_access_log_is_on()
    {
        var config = Load("listen: 0.0.0.0:4599\n");

        Assert.Null(config.Observability.Metrics);
        Assert.Null(config.Observability.MetricsListen);
        Assert.Equal(LogFormat.Text, config.Observability.LogFormat);
        Assert.True(config.Observability.AccessLog);
    }

    [Fact]
    public void Metrics_and_logging_sections_set_the_metrics_address_json_logs_and_the_access_log()
    {
        var config = Load("""
            metrics:
              listen: 127.0.0.1:9464
            logging:
              format: json
              accessLog: false
            """);

        Assert.True(config.Observability.Metrics);
        Assert.Equal("127.0.0.1:9464", config.Observability.MetricsListen);
        Assert.Equal(LogFormat.Json, config.Observability.LogFormat);
        Assert.False(config.Observability.AccessLog);
    }

    [Fact]
    public void Bad_metrics_and_logging_values_are_all_reported_at_once()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Load("""
            metrics:
              enabled: yes please
            logging:
              format: xml
              accessLog: sometimes
            """));

        Assert.EndsWith(
            """
             has 3 problem(s):
              metrics.enabled must be true or false, but was "yes please"
              logging.format must be text or json, but was "xml"
              logging.accessLog must be true or false, but was "sometimes"
            """.Replace("\r", "", StringComparison.Ordinal),
            exception.Message,
            StringComparison.Ordinal);
    }
}
