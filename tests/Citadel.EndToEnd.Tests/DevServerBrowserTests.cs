using System.Net;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The browser ↔ development server boundary. A web page the developer visits can send requests to
/// 127.0.0.1:4599 (cross-site, or through a DNS name it rebinds to 127.0.0.1), and the development
/// credentials are the well-known test/test, so a page could even sign KMS requests. The development
/// server answers no request that a browser marks as coming from another site and no Host that is not
/// a loopback name; scripts and test harnesses, which send neither Origin nor Sec-Fetch-*, work as before.
/// </summary>
public sealed class DevServerBrowserTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly HttpClient Http = new();

    private string Endpoint => fixture.Server.Endpoint.TrimEnd('/');

    private string Authority => new Uri(Endpoint).Authority;

    [Fact]
    public async Task A_cross_site_page_cannot_reset_the_server()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, body) = await SendAsync(HttpMethod.Post, "/_citadel/dev/reset", ("Origin", "http://evil.example"), ("Sec-Fetch-Site", "cross-site"));

        Assert.Equal(403, status);
        Assert.Equal("Refused: a request from the web page at 'http://evil.example'; the development server answers only its own origin, so that no web page can drive it.\n", body);
        await fixture.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
    }

    public static TheoryData<string, string, string> MarksOfAnotherSite => new()
    {
        { "Origin", "http://evil.example", "a request from the web page at 'http://evil.example'" },
        { "Origin", "http://localhost:3000", "a request from the web page at 'http://localhost:3000'" },
        { "Origin", "null", "a request from the web page at 'null'" },
        { "Sec-Fetch-Site", "cross-site", "a cross-site request (Sec-Fetch-Site: cross-site)" },
        { "Sec-Fetch-Site", "same-site", "a same-site request (Sec-Fetch-Site: same-site)" },
    };

    [Theory]
    [MemberData(nameof(MarksOfAnotherSite))]
    public async Task A_request_a_browser_marks_as_from_another_site_cannot_advance_the_clock(string header, string value, string what)
    {
        var before = await OffsetSecondsAsync();

        var (status, body) = await SendAsync(HttpMethod.Post, "/_citadel/dev/advance-time?by=30d", (header, value));

        Assert.Equal(403, status);
        Assert.Equal($"Refused: {what}; the development server answers only its own origin, so that no web page can drive it.\n", body);
        Assert.Equal(before, await OffsetSecondsAsync());
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("rebind.evil.example:4599")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("localhost.evil.example")]
    [InlineData("10.0.0.1")]
    public async Task A_Host_that_is_not_a_loopback_name_is_refused_on_every_route(string host)
    {
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/_citadel/dev/time"), (HttpMethod.Post, "/_citadel/dev/reset"), (HttpMethod.Get, "/health"), (HttpMethod.Post, "/") })
        {
            var (status, body) = await SendAsync(method, path, ("Host", host));

            Assert.Equal(403, status);
            Assert.Equal($"Refused: Host '{host}' is not a loopback name or address (localhost, *.localhost, 127.0.0.0/8, [::1]); the development server answers no other name, so that no rebound DNS name can reach it.\n", body);
        }
    }

    [Fact]
    public async Task A_KMS_request_signed_with_the_development_secret_from_a_web_page_is_refused()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, _) = await SignedHttp.SendAsync(
            Endpoint,
            "TrentService.DisableKey",
            System.Text.Encoding.UTF8.GetBytes($"{{\"KeyId\":\"{key.KeyId}\"}}"),
            headers: new Dictionary<string, string> { ["Origin"] = "http://evil.example" },
            leftUnsigned: ["origin"]);

        Assert.Equal(403, status);
        Assert.StartsWith("Refused: a request from the web page at 'http://evil.example'", text, StringComparison.Ordinal);
        var described = await fixture.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal(KeyState.Enabled, described.KeyMetadata.KeyState);
    }

    [Fact]
    public async Task A_CORS_preflight_from_another_origin_is_refused_and_allows_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, Endpoint + "/");
        request.Headers.Add("Origin", "http://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-amz-date,x-amz-target");

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    [InlineData("app.localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("[::1]")]
    public async Task A_loopback_Host_with_any_port_is_answered(string host)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "/_citadel/dev/time", ("Host", $"{host}:{new Uri(Endpoint).Port}"));

        Assert.True(status == 200, body);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("same-origin")]
    public async Task A_request_from_the_server_s_own_origin_or_typed_by_the_user_is_answered(string site)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "/_citadel/dev/time", ("Origin", $"http://{Authority}"), ("Sec-Fetch-Site", site));

        Assert.True(status == 200, body);
    }

    [Fact]
    public async Task A_script_that_sends_neither_Origin_nor_fetch_metadata_is_answered_as_before()
    {
        var before = await OffsetSecondsAsync();

        var (status, body) = await SendAsync(HttpMethod.Post, "/_citadel/dev/advance-time?by=1d");

        Assert.True(status == 200, body);
        Assert.Equal(before + 86_400, await OffsetSecondsAsync());
    }

    private async Task<long> OffsetSecondsAsync()
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "/_citadel/dev/time");
        Assert.Equal(200, status);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("offsetSeconds").GetInt64();
    }

    private async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, Endpoint + path);
        foreach (var (name, value) in headers)
        {
            if (name == "Host")
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
