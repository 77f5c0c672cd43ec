using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Citadel.Tests.Postgres;

namespace Citadel.EndToEnd.Tests.Monitoring;

[Trait("Issue", "22")]
public sealed class HealthTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(string endpoint, bool forwarded = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{endpoint}/health/ready");
        if (forwarded)
        {
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        }

        using var response = await Http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.Clone());
    }

    [Fact]
    public async Task A_running_server_is_live_and_ready_and_tells_a_local_caller_its_details()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-health-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory);
        await server.StartAsync();

        var health = await Http.GetStringAsync($"{server.Endpoint}/health");
        var live = await Http.GetAsync($"{server.Endpoint}/health/live");
        var (status, body) = await ReadyAsync(server.Endpoint);

        Assert.Equal("ok", health);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("ok", await live.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("storage").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("seal").GetString());
        Assert.Equal("ok", body.GetProperty("checks").GetProperty("audit").GetString());
        Assert.Equal("local", body.GetProperty("nodeId").GetString());
        Assert.Equal("sqlite", body.GetProperty("storage").GetString());
        Assert.Equal("file", body.GetProperty("seal").GetString());
        Assert.Equal(0, body.GetProperty("auditLag").GetInt64());
        Assert.False(body.TryGetProperty("cluster", out _));
        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_caller_through_a_proxy_learns_whether_the_node_is_ready_but_not_its_details()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-health-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory);
        await server.StartAsync();

        var (status, body) = await ReadyAsync(server.Endpoint, forwarded: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["status", "checks"], body.EnumerateObject().Select(p => p.Name));
        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task A_node_whose_database_goes_away_answers_503_naming_storage_within_seconds_and_is_ready_again_when_it_returns()
    {
        var postgres = await PostgresServer.SharedAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        await using var relay = new TcpForwarder(postgres.Port);
        var relayed = connectionString.Replace($"Port={postgres.Port}", $"Port={relay.Port}", StringComparison.Ordinal) + ";Timeout=2";
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-health-pg-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, "Warning", "--storage", "postgres", "--postgres", relayed);
        await server.StartAsync();
        var (readyStatus, readyBody) = await ReadyAsync(server.Endpoint);

        relay.Cut();
        var cutAt = Stopwatch.StartNew();
        var (downStatus, downBody) = await PollAsync(server.Endpoint, HttpStatusCode.ServiceUnavailable);
        var noticedAfter = cutAt.Elapsed;
        var statusWhileDown = await CliProcess.RunAsync("status", "--endpoint", server.Endpoint);
        relay.Restore();
        var (backStatus, _) = await PollAsync(server.Endpoint, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("postgresql", readyBody.GetProperty("storage").GetString());
        var node = Assert.Single(readyBody.GetProperty("cluster").EnumerateArray());
        Assert.Equal(readyBody.GetProperty("nodeId").GetString(), node.GetProperty("nodeId").GetString());
        Assert.True(node.GetProperty("self").GetBoolean());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, downStatus);
        Assert.Equal("unavailable", downBody.GetProperty("status").GetString());
        Assert.StartsWith("the database", downBody.GetProperty("checks").GetProperty("storage").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", downBody.GetProperty("checks").GetProperty("seal").GetString());
        Assert.True(noticedAfter < TimeSpan.FromSeconds(5), $"noticed after {noticedAfter}");
        Assert.Equal(1, statusWhileDown.ExitCode);
        Assert.Contains($"Citadel {readyBody.GetProperty("version").GetString()} at {server.Endpoint}: NOT READY\n", statusWhileDown.Output, StringComparison.Ordinal);
        Assert.Contains("  storage   DOWN: the database", statusWhileDown.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, backStatus);
        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Citadel_status_prints_readiness_and_details_of_a_running_server_and_exits_0()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-status-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory);
        await server.StartAsync();

        var status = await CliProcess.RunAsync("status", "--endpoint", server.Endpoint);
        var json = await CliProcess.RunAsync("status", "--endpoint", server.Endpoint, "--json");

        Assert.Equal(0, status.ExitCode);
        var lines = status.Output.Split('\n');
        Assert.Matches($@"^Citadel [0-9.]+ at {Regex.Escape(server.Endpoint)}: ready$", lines[0]);
        Assert.Equal($"  storage   ok  (sqlite {Path.Combine(dataDirectory, "citadel.db")})", lines[1]);
        Assert.Equal("  seal      ok  (file)", lines[2]);
        Assert.Equal("  audit     ok  (0 events not yet in the queryable trail)", lines[3]);
        Assert.Equal("  node id   local", lines[4]);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal("ready", JsonDocument.Parse(json.Output).RootElement.GetProperty("status").GetString());
        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Citadel_status_without_a_server_says_so_in_one_line_and_exits_2()
    {
        var endpoint = $"http://127.0.0.1:{MetricsListenTests.FreePort()}";

        var status = await CliProcess.RunAsync("status", "--endpoint", endpoint);

        Assert.Equal(2, status.ExitCode);
        var line = Assert.Single(status.ErrorLines);
        Assert.StartsWith($"citadel status: no server answers at {endpoint} (", line, StringComparison.Ordinal);
        Assert.EndsWith("): start one (citadel serve) or give its address with --endpoint.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0:4599", "http://127.0.0.1:4599")]
    [InlineData("[::]:4599", "http://[::1]:4599")]
    [InlineData("10.1.2.3:8443", "http://10.1.2.3:8443")]
    [InlineData("localhost:4599", "http://localhost:4599")]
    public void Citadel_status_asks_a_server_listening_on_every_address_on_loopback(string listen, string asked)
    {
        Assert.Equal(asked, Citadel.Cli.StatusCommand.FromListen(listen));
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PollAsync(string endpoint, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var answer = await ReadyAsync(endpoint);
            if (answer.Status == wanted || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(100);
        }
    }
}
