using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.Monitoring;

/// <summary>GET /metrics of a real `citadel serve --dev` process, parsed as Prometheus text (a separate process: the meters are per process).</summary>
[Trait("Issue", "22")]
public sealed class MetricsTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-metrics-" + Guid.NewGuid().ToString("N"));
    private ServerProcess Server { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Server = new ServerProcess(_dataDirectory);
        await Server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    internal static async Task<PrometheusText> ScrapeAsync(string endpoint)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{endpoint}/metrics");
        request.Headers.Accept.ParseAdd("text/plain; version=0.0.4");
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Scrapes until <paramref name="done"/> holds (at most 10 s): a client may read its answer a moment
    /// before the server has counted the request, which it does right after writing it.
    /// </summary>
    internal static async Task<PrometheusText> ScrapeUntilAsync(string endpoint, Func<PrometheusText, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var scrape = await ScrapeAsync(endpoint);
            if (done(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Requests_errors_and_latency_are_counted_per_operation_and_error_code()
    {
        using var kms = Server.Client();
        var key = await kms.NewKeyAsync();
        for (var i = 0; i < 3; i++)
        {
            await kms.EncryptAsync(key.KeyId, [(byte)i]);
        }

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => kms.DecryptAsync(new MemoryStream(new byte[64])));
        await Assert.ThrowsAsync<NotFoundException>(() => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Guid.NewGuid().ToString() }));

        var scrape = await ScrapeUntilAsync(Server.Endpoint, s => s.Value("citadel_requests_total", ("operation", "DescribeKey")) >= 1);

        Assert.Equal("counter", scrape.TypeOf["citadel_requests_total"]);
        Assert.Equal("histogram", scrape.TypeOf["citadel_request_duration_seconds"]);
        Assert.Equal(1, scrape.Value("citadel_requests_total", ("operation", "CreateKey")));
        var encrypts = Assert.Single(scrape.Matching("citadel_requests_total", ("operation", "Encrypt")));
        Assert.Equal(3, encrypts.Value);
        Assert.False(encrypts.Labels.ContainsKey("error"));
        Assert.Equal(1, scrape.Value("citadel_requests_total", ("operation", "Decrypt"), ("error", "InvalidCiphertextException")));
        Assert.Equal(1, scrape.Value("citadel_requests_total", ("operation", "DescribeKey"), ("error", "NotFoundException")));
        Assert.Equal(3, scrape.Value("citadel_request_duration_seconds_count", ("operation", "Encrypt")));
        Assert.Equal(3, scrape.Value("citadel_request_duration_seconds_bucket", ("operation", "Encrypt"), ("le", "+Inf")));
        Assert.InRange(scrape.Value("citadel_request_duration_seconds_sum", ("operation", "Encrypt")), 1e-6, 30);
        Assert.Equal(1, scrape.Value("citadel_request_duration_seconds_count", ("operation", "Decrypt"), ("error", "InvalidCiphertextException")));
    }

    [Fact]
    public async Task A_request_refused_by_the_key_policy_is_counted_as_an_authorization_denial()
    {
        using var kms = Server.Client();
        var policy = $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{Kms.Account}}:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"kms:Encrypt","Resource":"*"}]}
            """;
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Policy = policy, BypassPolicyLockoutSafetyCheck = true })).KeyMetadata;

        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.EncryptAsync(key.KeyId, [1]));
        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.EncryptAsync(key.KeyId, [2]));

        var scrape = await ScrapeUntilAsync(Server.Endpoint, s => s.Value("citadel_authorization_denials_total", ("operation", "Encrypt")) >= 2);
        Assert.Equal(2, scrape.Value("citadel_authorization_denials_total", ("operation", "Encrypt")));
        Assert.Equal(2, scrape.Value("citadel_requests_total", ("operation", "Encrypt"), ("error", "AccessDeniedException")));
    }

    [Fact]
    public async Task Cache_lookups_count_the_first_use_of_a_key_as_a_miss_and_the_next_as_hits()
    {
        using var kms = Server.Client();
        var key = await kms.NewKeyAsync();
        var before = await ScrapeAsync(Server.Endpoint);
        var hitsBefore = before.Value("citadel_cache_lookups_total", ("cache", "material"), ("result", "hit"));
        var missesBefore = before.Value("citadel_cache_lookups_total", ("cache", "material"), ("result", "miss"));

        await kms.EncryptAsync(key.KeyId, [1]);
        await kms.EncryptAsync(key.KeyId, [2]);
        await kms.EncryptAsync(key.KeyId, [3]);

        var after = await ScrapeUntilAsync(Server.Endpoint, s => s.Value("citadel_cache_lookups_total", ("cache", "material"), ("result", "hit")) >= hitsBefore + 2);
        Assert.Equal(missesBefore + 1, after.Value("citadel_cache_lookups_total", ("cache", "material"), ("result", "miss")));
        Assert.Equal(hitsBefore + 2, after.Value("citadel_cache_lookups_total", ("cache", "material"), ("result", "hit")));
        Assert.True(after.Value("citadel_cache_lookups_total", ("cache", "key"), ("result", "hit")) >= 3);
        Assert.True(after.Value("citadel_cache_lookups_total", ("cache", "policy"), ("result", "hit")) >= 2);
    }

    [Fact]
    public async Task Background_job_runs_are_counted_per_job()
    {
        var scrape = await ScrapeUntilAsync(Server.Endpoint, s => s.Value("citadel_job_runs_total", ("job", "KeyRotationJob"), ("result", "ok")) >= 1);

        Assert.True(scrape.Value("citadel_job_runs_total", ("job", "KeyRotationJob"), ("result", "ok")) >= 1);
        Assert.True(scrape.Value("citadel_job_runs_total", ("job", "KeyDeletionJob"), ("result", "ok")) >= 1);
        Assert.Equal(0, scrape.Value("citadel_job_runs_total", ("job", "KeyRotationJob"), ("result", "failed")));
    }
}

/// <summary>The key gauge counts what the store holds at the first scrape; a fresh server, since other tests make keys.</summary>
[Trait("Issue", "22")]
public sealed class KeyGaugeTests
{
    [Fact]
    public async Task The_key_gauge_counts_keys_by_state_and_manager()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-keygauge-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory);
        await server.StartAsync();
        using (var kms = server.Client())
        {
            await kms.NewKeyAsync();
            await kms.NewKeyAsync();
            var disabled = await kms.NewKeyAsync();
            await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = disabled.KeyId });
            var deleted = await kms.NewKeyAsync();
            await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = deleted.KeyId, PendingWindowInDays = 7 });
        }

        var scrape = await MetricsTests.ScrapeAsync(server.Endpoint);

        Assert.Equal("gauge", scrape.TypeOf["citadel_keys"]);
        Assert.Equal(2, scrape.Value("citadel_keys", ("state", "Enabled"), ("manager", "CUSTOMER")));
        Assert.Equal(1, scrape.Value("citadel_keys", ("state", "Disabled"), ("manager", "CUSTOMER")));
        Assert.Equal(1, scrape.Value("citadel_keys", ("state", "PendingDeletion"), ("manager", "CUSTOMER")));
        Assert.Equal(3, scrape.Matching("citadel_keys").Count());
        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
    }
}

/// <summary>--metrics-listen: /metrics on its own port, and only there.</summary>
[Trait("Issue", "22")]
public sealed class MetricsListenTests
{
    [Fact]
    public async Task With_a_metrics_address_metrics_are_served_there_and_not_on_the_api_port_and_the_api_is_not_served_there()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-metricsport-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        await using var server = new ServerProcess(dataDirectory, "Warning", "--metrics-listen", $"127.0.0.1:{port}");
        await server.StartAsync();
        using var http = new HttpClient();

        var onApiPort = await http.GetAsync($"{server.Endpoint}/metrics");
        var scrape = await MetricsTests.ScrapeAsync($"http://127.0.0.1:{port}");
        var readyOnMetricsPort = await http.GetAsync($"http://127.0.0.1:{port}/health/ready");
        var apiOnMetricsPort = await http.PostAsync($"http://127.0.0.1:{port}/", new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1"));

        Assert.Equal(HttpStatusCode.NotFound, onApiPort.StatusCode);
        Assert.Equal(1, scrape.Value("target_info", ("service_name", "citadel")));
        Assert.Equal(HttpStatusCode.OK, readyOnMetricsPort.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, apiOnMetricsPort.StatusCode);
        server.Kill();
        Directory.Delete(dataDirectory, recursive: true);
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
