using Citadel.Server.Hosting;

namespace Citadel.Server.Tests.Hosting;

[Trait("Issue", "22")]
public sealed class AuditStreamConfigTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-stream-config-" + Guid.NewGuid().ToString("N"));

    public AuditStreamConfigTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Audit_stream_settings_are_read_with_the_directory_relative_to_the_file()
    {
        var config = Load("""
            audit:
              stream:
                directory: cloudtrail
                maxEvents: 500
                maxAge: 30s
            """);

        Assert.Equal(Path.Combine(_directory, "cloudtrail"), config.AuditStream?.Directory);
        Assert.Equal(500, config.AuditStream?.MaxEvents);
        Assert.Equal(TimeSpan.FromSeconds(30), config.AuditStream?.MaxAge);
    }

    [Fact]
    public void Without_audit_stream_there_is_no_stream()
    {
        var config = Load("audit:\n  retentionDays: 30\n");

        Assert.Null(config.AuditStream);
    }

    [Fact]
    public void Every_problem_of_the_audit_stream_is_reported_at_once()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Load("""
            audit:
              stream:
                maxEvents: many
                maxAge: soon
            """));

        Assert.EndsWith(
            "has 3 problem(s):\n"
            + "  audit.stream.maxEvents must be a number of events, but was \"many\"\n"
            + "  audit.stream.maxAge must be a duration such as 5m or 30s, but was \"soon\"\n"
            + "  audit.stream.directory is required: the directory the CloudTrail-format files are written to",
            error.Message);
    }

    [Fact]
    public void A_number_of_events_out_of_range_is_an_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Load("audit:\n  stream:\n    directory: out\n    maxEvents: 0\n"));

        Assert.EndsWith("has 1 problem(s):\n  audit.stream.maxEvents must be between 1 and 100000, but was 0", error.Message);
    }

    private ConfigFile Load(string yaml)
    {
        var path = Path.Combine(_directory, "citadel.yaml");
        File.WriteAllText(path, yaml);
        return ConfigFile.Load(path, _ => null);
    }
}
