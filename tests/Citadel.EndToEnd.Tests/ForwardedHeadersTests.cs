using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using static Citadel.EndToEnd.Tests.Policies;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto set aws:SourceIp, aws:SecureTransport and the audit trail's
/// sourceIPAddress when a trusted proxy sends them, and are ignored from anyone else. Loopback is the
/// only address the tests have, so one server trusts 127.0.0.1 and the other trusts only 10.0.0.0/8.
/// The headers are sent unsigned, as a proxy adds them after the client signed.
/// </summary>
[Trait("Issue", "22")]
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private const string Client = "203.0.113.7";
    private const string OnlyFromClientNetwork = """{"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}""";
    private const string DenyPlainHttp = """{"Bool": {"aws:SecureTransport": "false"}}""";
    private CitadelServer _trusting = null!;
    private CitadelServer _untrusting = null!;

    public async Task InitializeAsync()
    {
        _trusting = await CitadelServer.StartAsync(configure: s => s.TrustedProxies = [IPNetwork.Parse("127.0.0.1/32")]);
        _untrusting = await CitadelServer.StartAsync(configure: s => s.TrustedProxies = [IPNetwork.Parse("10.0.0.0/8")]);
    }

    public async Task DisposeAsync()
    {
        await _trusting.DisposeAsync();
        await _untrusting.DisposeAsync();
    }

    [Fact]
    public async Task From_a_trusted_proxy_X_Forwarded_For_is_the_audit_sourceIPAddress_and_matches_aws_SourceIp()
    {
        var key = await KeyAsync(_trusting, For("*", "Deny", "kms:Encrypt", OnlyFromClientNetwork));

        var forwarded = await EncryptAsync(_trusting, key, new() { ["X-Forwarded-For"] = Client });
        var direct = await EncryptAsync(_trusting, key, []);

        Assert.Equal(200, forwarded.Status);
        Assert.Equal(Client, await SourceIpAsync(_trusting, forwarded.RequestId));
        Assert.Equal(400, direct.Status);
        Assert.Equal("AccessDeniedException", direct.ErrorType);
        Assert.Equal("127.0.0.1", await SourceIpAsync(_trusting, direct.RequestId));
    }

    [Fact]
    public async Task From_an_untrusted_address_X_Forwarded_For_is_ignored()
    {
        var key = await KeyAsync(_untrusting, For("*", "Deny", "kms:Encrypt", OnlyFromClientNetwork));

        var forwarded = await EncryptAsync(_untrusting, key, new() { ["X-Forwarded-For"] = Client });

        Assert.Equal(400, forwarded.Status);
        Assert.Equal("AccessDeniedException", forwarded.ErrorType);
        Assert.Equal("127.0.0.1", await SourceIpAsync(_untrusting, forwarded.RequestId));
    }

    [Fact]
    public async Task X_Forwarded_Proto_https_makes_SecureTransport_true_from_a_trusted_proxy_only()
    {
        var trustedKey = await KeyAsync(_trusting, For("*", "Deny", "kms:Encrypt", DenyPlainHttp));
        var untrustedKey = await KeyAsync(_untrusting, For("*", "Deny", "kms:Encrypt", DenyPlainHttp));
        var https = new Dictionary<string, string> { ["X-Forwarded-For"] = Client, ["X-Forwarded-Proto"] = "https" };

        var fromTrusted = await EncryptAsync(_trusting, trustedKey, https);
        var fromTrustedOverHttp = await EncryptAsync(_trusting, trustedKey, new() { ["X-Forwarded-For"] = Client, ["X-Forwarded-Proto"] = "http" });
        var fromUntrusted = await EncryptAsync(_untrusting, untrustedKey, https);

        Assert.Equal(200, fromTrusted.Status);
        Assert.Equal("AccessDeniedException", fromTrustedOverHttp.ErrorType);
        Assert.Equal("AccessDeniedException", fromUntrusted.ErrorType);
    }

    [Fact]
    public async Task Through_a_chain_of_trusted_proxies_the_client_is_the_last_address_no_trusted_proxy_added()
    {
        await using var server = await CitadelServer.StartAsync(configure: s => s.TrustedProxies = [IPNetwork.Parse("127.0.0.1/32"), IPNetwork.Parse("10.0.0.0/8")]);
        var key = await KeyAsync(server, For("*", "Deny", "kms:Encrypt", OnlyFromClientNetwork));

        // The client wrote 198.51.100.9 itself; the outer proxy (10.1.2.3) saw 203.0.113.7 connect.
        var sent = await EncryptAsync(server, key, new() { ["X-Forwarded-For"] = $"198.51.100.9, {Client}, 10.1.2.3" });

        Assert.Equal(200, sent.Status);
        Assert.Equal(Client, await SourceIpAsync(server, sent.RequestId));
    }

    private static async Task<string> KeyAsync(CitadelServer server, string statement)
    {
        using var kms = server.Client();
        var created = await kms.CreateKeyAsync(new CreateKeyRequest { Policy = Document(RootStatement(), statement) });
        return created.KeyMetadata.KeyId;
    }

    /// <summary>An Encrypt signed by the client, with <paramref name="forwarded"/> added unsigned as a proxy adds it.</summary>
    private static async Task<(int Status, string? ErrorType, string RequestId)> EncryptAsync(CitadelServer server, string keyId, Dictionary<string, string> forwarded)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"KeyId": "{{keyId}}", "Plaintext": "eA=="}""");

        var (status, text, response) = await SignedHttp.SendAsync(
            server.Endpoint, "TrentService.Encrypt", body, headers: forwarded, leftUnsigned: forwarded.Keys.Select(k => k.ToLowerInvariant()).ToArray());

        using var json = JsonDocument.Parse(text);
        var errorType = json.RootElement.TryGetProperty("__type", out var type) ? type.GetString() : null;
        return (status, errorType, response.Headers.GetValues("x-amzn-RequestId").Single());
    }

    private static async Task<string?> SourceIpAsync(CitadelServer server, string requestId)
    {
        var events = await CloudTrail.LookupAllAsync(server.Endpoint, new JsonObject { ["StartTime"] = CloudTrail.EpochSeconds(DateTimeOffset.UtcNow.AddMinutes(-5)) });
        var record = events.Select(CloudTrail.Record).Single(r => CloudTrail.RequestId(r) == requestId);
        return record.GetProperty("sourceIPAddress").GetString();
    }
}
