using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.WebConsole;

/// <summary>
/// The /console route: embedded files with a strict content security policy, and the development
/// server's browser guard in front of it and of the API the console calls — same-origin requests
/// pass, cross-site ones are refused.
/// </summary>
[Trait("Issue", "21")]
public sealed class ConsoleHttpTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private static readonly HttpClient Http = new(new HttpClientHandler { AllowAutoRedirect = false });

    [Fact]
    public async Task The_console_page_is_served_with_a_strict_content_security_policy()
    {
        using var response = await Http.GetAsync(fixture.Origin + "/console/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("same-origin", string.Join(",", response.Headers.GetValues("Cross-Origin-Opener-Policy")));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"app.js\"></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_without_a_trailing_slash_redirects_to_the_page()
    {
        using var response = await Http.GetAsync(fixture.Origin + "/console");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/console/", response.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("app.js", "text/javascript; charset=utf-8")]
    [InlineData("pages/key.js", "text/javascript; charset=utf-8")]
    [InlineData("console.css", "text/css; charset=utf-8")]
    public async Task A_console_file_is_served_from_the_server_with_its_type(string path, string type)
    {
        using var response = await Http.GetAsync($"{fixture.Origin}/console/{path}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType!.ToString());
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [InlineData("nothing.js")]
    [InlineData("../ConsoleEndpoints.cs")]
    [InlineData("%2e%2e/%2e%2e/appsettings.json")]
    public async Task A_path_that_is_not_a_console_file_is_not_found(string path)
    {
        using var response = await Http.GetAsync($"{fixture.Origin}/console/{path}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_unchanged_file_is_answered_304_with_its_ETag()
    {
        using var first = await Http.GetAsync(fixture.Origin + "/console/app.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.Origin + "/console/app.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task A_server_whose_configuration_turns_the_console_off_does_not_serve_it()
    {
        await using var server = await CitadelServer.StartAsync(configure: settings => settings.WebConsole = false);

        using var response = await Http.GetAsync(server.Endpoint.TrimEnd('/') + "/console/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_cross_site_page_cannot_load_the_console_of_a_development_server()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.Origin + "/console/app.js");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_same_origin_request_of_the_console_reaches_the_KMS_API()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var browserHeaders = new Dictionary<string, string> { ["Origin"] = fixture.Origin, ["Sec-Fetch-Site"] = "same-origin", ["Sec-Fetch-Mode"] = "cors" };

        var (status, body, _) = await SignedHttp.SendAsync(
            fixture.Origin, "TrentService.DisableKey", System.Text.Encoding.UTF8.GetBytes($"{{\"KeyId\":\"{key.KeyId}\"}}"),
            headers: browserHeaders, leftUnsigned: ["origin", "sec-fetch-site", "sec-fetch-mode"]);

        Assert.Equal(200, status);
        Assert.Equal("{}", body);
        Assert.Equal(KeyState.Disabled, (await fixture.Admin.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task A_request_from_a_page_of_another_origin_to_the_KMS_API_is_refused_and_changes_nothing()
    {
        var key = (await fixture.Admin.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var other = fixture.Origin.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var browserHeaders = new Dictionary<string, string> { ["Origin"] = other, ["Sec-Fetch-Site"] = "cross-site", ["Sec-Fetch-Mode"] = "cors" };

        var (status, body, _) = await SignedHttp.SendAsync(
            fixture.Origin, "TrentService.DisableKey", System.Text.Encoding.UTF8.GetBytes($"{{\"KeyId\":\"{key.KeyId}\"}}"),
            headers: browserHeaders, leftUnsigned: ["origin", "sec-fetch-site", "sec-fetch-mode"]);

        Assert.Equal(403, status);
        Assert.Equal($"Refused: a request from the web page at '{other}'; the development server answers only its own origin, so that no web page can drive it.\n", body);
        Assert.Equal(KeyState.Enabled, (await fixture.Admin.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }
}
