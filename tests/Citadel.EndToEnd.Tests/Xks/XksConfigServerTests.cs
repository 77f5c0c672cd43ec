using Citadel.Server.Hosting;
using static Citadel.EndToEnd.Tests.Xks.XksHttp;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>A store declared in the configuration file is there at start, serves its credential, and a restart changes nothing.</summary>
[Trait("Issue", "20")]
public sealed class XksConfigServerTests : IDisposable
{
    private const string AccessKeyId = "AKIAI2SFODNN7EXAMPLE";
    private const string Secret = "FYtE5EFA5FT0mCc3DrGUe2sti527BitkQ0Zr9MO9fvE";
    private const string Health = """{"requestMetadata": {"kmsOperation": "KmsHealthCheck", "kmsRequestId": "1"}}""";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-xks-config-e2e-" + Guid.NewGuid().ToString("N"));

    public XksConfigServerTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_configured_store_answers_at_its_prefix_with_its_credential_before_and_after_a_restart()
    {
        var path = Path.Combine(_directory, "citadel.yaml");
        await File.WriteAllTextAsync(path, """
            accounts:
              - id: "444455556666"
            xks:
              stores:
                - name: configured
                  account: "444455556666"
                  uriPrefix: /keystores/configured
                  credentials:
                    - id: AKIAI2SFODNN7EXAMPLE
                      secretEnv: XKS_SECRET
            """);
        var config = ConfigFile.Load(path, name => name == "XKS_SECRET" ? Secret : null);
        await using var server = await CitadelServer.StartAsync(configure: s => s.Config = config);

        var first = await SendAsync(server.Endpoint, "/keystores/configured/kms/xks/v1/health", Health, AccessKeyId, Secret);
        await server.RestartAsync();
        var second = await SendAsync(server.Endpoint, "/keystores/configured/kms/xks/v1/health", Health, AccessKeyId, Secret);
        var wrongPrefix = await SendAsync(server.Endpoint, "/xks/dev/kms/xks/v1/health", Health, AccessKeyId, Secret);

        Assert.Equal(200, first.Status);
        Assert.Equal(200, second.Status);
        AssertError(wrongPrefix, 404, "InvalidUriPathException");
    }
}
