using System.Diagnostics;
using System.Net;
using System.Text.Json;
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
        Assert.Equal(HttpStatusCode.OK, backStatus);
        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
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
