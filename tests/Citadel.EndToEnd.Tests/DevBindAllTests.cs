using Citadel.Server.Hosting;
using Citadel.Storage.Sqlite;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A development server in a container (--bind-all): it listens on every interface and answers a
/// container or service name, while a dotted name (DNS rebinding) is still refused. Tests reach it
/// through loopback and set Host to what another container would send.
/// </summary>
[Trait("Issue", "22")]
public sealed class DevBindAllTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Without_bind_all_a_development_server_refuses_to_listen_on_every_interface()
    {
        var settings = new ServerSettings { Storage = SqliteStorageProvider.Instance, Development = true, DataDirectory = TempDirectory(), Listen = "0.0.0.0:4599" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal("Development mode listens on loopback only, but --listen was 0.0.0.0:4599. Use 127.0.0.1 or [::1]; inside a container, add --bind-all; or run without --dev.", error.Message);
        Assert.False(Directory.Exists(settings.DataDirectory));
    }

    [Theory]
    [InlineData("citadel")]
    [InlineData("kms:4599")]
    [InlineData("172.17.0.2:4599")]
    [InlineData("[fd00::2]:4599")]
    [InlineData("localhost:4599")]
    public async Task With_bind_all_a_container_name_or_address_is_answered(string host)
    {
        await using var server = await CitadelServer.StartAsync(configure: BindAll);

        var (status, body) = await GetHealthAsync(server, host);

        Assert.Equal(200, status);
        Assert.Equal("ok", body);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("127.0.0.1.nip.io:4599")]
    public async Task With_bind_all_a_dotted_name_is_still_refused(string host)
    {
        await using var server = await CitadelServer.StartAsync(configure: BindAll);

        var (status, body) = await GetHealthAsync(server, host);

        Assert.Equal(403, status);
        Assert.Equal($"Refused: Host '{host}' is not a loopback name, an IP address or a name without a dot (a container name); the development server answers no other name, so that no rebound DNS name can reach it.\n", body);
    }

    private static void BindAll(ServerSettings settings)
    {
        settings.DevListenAnywhere = true;
        settings.Listen = "0.0.0.0:0";
    }

    private static async Task<(int Status, string Body)> GetHealthAsync(CitadelServer server, string host)
    {
        var port = new Uri(server.Endpoint).Port;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/health");
        request.Headers.Host = host;
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string TempDirectory() => Path.Combine(Path.GetTempPath(), "citadel-bind-all-" + Guid.NewGuid().ToString("N"));
}
