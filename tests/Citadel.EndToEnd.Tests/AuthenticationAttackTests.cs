using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The client ↔ server boundary, tried as an attacker who holds a captured signed request but not the
/// secret: replayed with another target, another body, unsigned headers added, headers removed or
/// doubled, a stale date, a made-up session token. Each is refused with AWS's answer and changes nothing.
/// </summary>
[Collection("server")]
public sealed class AuthenticationAttackTests(ServerFixture fixture)
{
    private const string DescribeKey = "TrentService.DescribeKey";
    private const string DisableKey = "TrentService.DisableKey";
    private const string SignatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private string Endpoint => fixture.Server.Endpoint;

    [Fact]
    public async Task A_signature_that_leaves_out_the_target_cannot_be_replayed_with_another_target()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var captured = await CaptureAsync(DescribeKey, KeyBody(key.KeyId), leftUnsigned: ["x-amz-target"]);

        var (status, text, response) = await ReplayAsync(captured, DisableKey, KeyBody(key.KeyId));

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.Equal("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.", message);
        await AssertEnabledAsync(key.KeyId);
    }

    [Theory]
    [InlineData("X-Amz-Target")]
    [InlineData("x-amz-target")]
    [InlineData("X-AMZ-TARGET")]
    public async Task An_unsigned_target_is_refused_however_its_name_is_spelled(string spelling)
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, response) = await SignedHttp.SendAsync(
            Endpoint,
            target: null,
            KeyBody(key.KeyId),
            headers: new Dictionary<string, string> { [spelling] = DisableKey },
            leftUnsigned: ["x-amz-target"]);

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.Equal($"'{spelling}' must be a 'SignedHeader' in the AWS Authorization.", message, ignoreCase: true);
        await AssertEnabledAsync(key.KeyId);
    }

    [Fact]
    public async Task A_request_whose_content_type_is_not_signed_is_refused()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, DisableKey, KeyBody(key.KeyId), leftUnsigned: ["content-type"]);

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.Equal("'Content-Type' must be a 'SignedHeader' in the AWS Authorization.", message);
        await AssertEnabledAsync(key.KeyId);
    }

    [Theory]
    [InlineData("x-amz-date")]
    [InlineData("x-amz-content-sha256")]
    [InlineData("x-amz-anything")]
    public async Task A_request_with_an_unsigned_x_amz_header_is_refused(string name)
    {
        var key = await fixture.Kms.NewKeyAsync();
        var headers = name == "x-amz-date" ? null : new Dictionary<string, string> { [name] = "value" };

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, DisableKey, KeyBody(key.KeyId), headers: headers, leftUnsigned: [name]);

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.Equal($"'{name}' must be a 'SignedHeader' in the AWS Authorization.", message, ignoreCase: true);
        await AssertEnabledAsync(key.KeyId);
    }

    [Fact]
    public async Task Headers_that_do_not_shape_the_operation_may_stay_unsigned()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, _) = await SignedHttp.SendAsync(
            Endpoint,
            DescribeKey,
            KeyBody(key.KeyId),
            headers: new Dictionary<string, string> { ["X-Amzn-Trace-Id"] = "Root=1-5759e988-bd862e3fe1be46a994272793", ["User-Agent"] = "attack/1.0" },
            leftUnsigned: ["x-amzn-trace-id", "user-agent"]);

        Assert.True(status == 200, text);
    }

    [Fact]
    public async Task A_signature_replayed_with_another_body_is_refused()
    {
        var victim = await fixture.Kms.NewKeyAsync();
        var target = await fixture.Kms.NewKeyAsync();
        var captured = await CaptureAsync(DisableKey, KeyBody(victim.KeyId));

        var (status, text, response) = await ReplayAsync(captured, DisableKey, KeyBody(target.KeyId));

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.StartsWith(SignatureMismatch, message, StringComparison.Ordinal);
        await AssertEnabledAsync(target.KeyId);
    }

    [Fact]
    public async Task A_request_signed_more_than_5_minutes_ago_is_refused()
    {
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, response) = await SignedHttp.SendAsync(Endpoint, DisableKey, KeyBody(key.KeyId), signedAt: DateTimeOffset.UtcNow.AddMinutes(-6));

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.StartsWith("Signature expired: ", message, StringComparison.Ordinal);
        await AssertEnabledAsync(key.KeyId);
    }

    [Fact]
    public async Task A_second_target_added_to_a_signed_request_is_refused()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var captured = await CaptureAsync(DescribeKey, KeyBody(key.KeyId));

        var (status, text, response) = await ReplayAsync(captured, DescribeKey, KeyBody(key.KeyId), new Dictionary<string, string> { ["X-Amz-Target"] = DisableKey });

        AssertError(status, text, response, 400, "UnknownOperationException");
        await AssertEnabledAsync(key.KeyId);
    }

    [Fact]
    public async Task A_second_date_added_to_a_signed_request_is_refused()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var captured = await CaptureAsync(DescribeKey, KeyBody(key.KeyId));

        var (status, text, response) = await ReplayAsync(captured, DescribeKey, KeyBody(key.KeyId), new Dictionary<string, string> { ["X-Amz-Date"] = "20991231T000000Z" });

        var message = AssertError(status, text, response, 400, "IncompleteSignatureException");
        Assert.StartsWith("Date must be in ISO-8601 'basic format'.", message, StringComparison.Ordinal);
        await AssertEnabledAsync(key.KeyId);
    }

    [Fact]
    public async Task A_signed_header_removed_from_the_request_is_refused()
    {
        var key = await fixture.Kms.NewKeyAsync();
        var captured = await CaptureAsync(DescribeKey, KeyBody(key.KeyId), new Dictionary<string, string> { ["X-Citadel-On-Behalf-Of"] = "arn:aws:iam::111122223333:user/someone" });

        var (status, text, response) = await ReplayAsync(captured, DescribeKey, KeyBody(key.KeyId));

        var message = AssertError(status, text, response, 400, "InvalidSignatureException");
        Assert.StartsWith(SignatureMismatch, message, StringComparison.Ordinal);
        Assert.Contains("\nx-citadel-on-behalf-of:\n", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Amz-Target : TrentService.DisableKey", "a space before the colon")]
    [InlineData(" TrentService.DisableKey", "a folded continuation line")]
    [InlineData("X-Amz-Target\t: TrentService.DisableKey", "a tab before the colon")]
    public async Task A_header_line_smuggled_into_a_signed_request_is_refused_by_the_HTTP_parser(string line, string why)
    {
        _ = why;
        var key = await fixture.Kms.NewKeyAsync();
        var body = KeyBody(key.KeyId);
        var captured = await CaptureAsync(DescribeKey, body);
        var endpoint = new Uri(Endpoint);
        var amzDate = captured.SignedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var head = $"POST / HTTP/1.1\r\nHost: {endpoint.Authority}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Date: {amzDate}\r\n"
            + $"X-Amz-Target: {DescribeKey}\r\n{line}\r\nAuthorization: {captured.Authorization}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray());
        var statusLine = await new StreamReader(stream, Encoding.ASCII).ReadLineAsync();

        Assert.Equal("HTTP/1.1 400 Bad Request", statusLine);
        await AssertEnabledAsync(key.KeyId);
    }

    [Fact]
    public async Task A_long_term_access_key_with_a_made_up_session_token_fails_with_UnrecognizedClient()
    {
        var key = await fixture.Kms.NewKeyAsync();
        using var kms = new AmazonKeyManagementServiceClient(
            new SessionAWSCredentials("test", "test", "FwoGZXIvYXdzEBogus"),
            new AmazonKeyManagementServiceConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }));

        Assert.Equal("UnrecognizedClientException", error.ErrorCode);
        Assert.Equal("The security token included in the request is invalid.", error.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        await AssertEnabledAsync(key.KeyId);
    }

    [Fact]
    public async Task A_signed_security_token_header_fails_with_UnrecognizedClient_without_echoing_the_token()
    {
        const string token = "IQoJb3JpZ2luX2VjEMadeUpSecretToken";
        var key = await fixture.Kms.NewKeyAsync();

        var (status, text, response) = await SignedHttp.SendAsync(
            Endpoint,
            DisableKey,
            KeyBody(key.KeyId),
            headers: new Dictionary<string, string> { ["X-Amz-Security-Token"] = token });

        var message = AssertError(status, text, response, 400, "UnrecognizedClientException");
        Assert.Equal("The security token included in the request is invalid.", message);
        Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        await AssertEnabledAsync(key.KeyId);
    }

    private static byte[] KeyBody(string keyId) => Encoding.UTF8.GetBytes($"{{\"KeyId\":\"{keyId}\"}}");

    /// <summary>Sends a signed request as its owner would, and keeps what an eavesdropper sees: its date and Authorization header.</summary>
    private async Task<(DateTimeOffset SignedAt, string Authorization)> CaptureAsync(
        string target,
        byte[] body,
        IReadOnlyDictionary<string, string>? headers = null,
        IReadOnlyCollection<string>? leftUnsigned = null)
    {
        var signedAt = DateTimeOffset.UtcNow;
        var (_, _, response) = await SignedHttp.SendAsync(Endpoint, target, body, signedAt: signedAt, headers: headers, leftUnsigned: leftUnsigned);
        return (signedAt, response.RequestMessage!.Headers.GetValues("Authorization").Single());
    }

    /// <summary>Sends the captured date and Authorization header with another target, body or headers.</summary>
    private Task<(int Status, string Body, HttpResponseMessage Response)> ReplayAsync(
        (DateTimeOffset SignedAt, string Authorization) captured,
        string target,
        byte[] body,
        IReadOnlyDictionary<string, string>? headers = null) =>
        SignedHttp.SendAsync(Endpoint, target, body, signedAt: captured.SignedAt, authorizationOverride: captured.Authorization, headers: headers);

    private async Task AssertEnabledAsync(string keyId)
    {
        var described = await fixture.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId });
        Assert.Equal(KeyState.Enabled, described.KeyMetadata.KeyState);
    }

    private static string? AssertError(int status, string body, HttpResponseMessage response, int expectedStatus, string expectedType)
    {
        Assert.True(status == expectedStatus, $"Expected {expectedStatus}, got {status}: {body}");
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(expectedType, json.RootElement.GetProperty("__type").GetString());
        return json.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null;
    }
}
