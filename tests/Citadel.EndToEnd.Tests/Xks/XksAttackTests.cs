using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Xks;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

using static Citadel.EndToEnd.Tests.Xks.XksHttp;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>
/// What a caller with less than a store's credential, or with a forged, replayed or malformed request, gets from the
/// XKS proxy API: refusals with the specification's error names, nothing decrypted, nothing changed.
/// </summary>
public sealed class XksAttackTests(XksFixture fixture) : IClassFixture<XksFixture>
{
    private static readonly byte[] Plaintext = "attack at dawn"u8.ToArray();

    [Theory]
    [InlineData("kms")]
    [InlineData("sts")]
    [InlineData("kms-xks-prox")]
    public async Task A_signature_scoped_to_another_service_is_AuthenticationFailedException(string service)
    {
        var answer = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext), service: service);

        AssertError(answer, 401, "AuthenticationFailedException");
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task A_request_signed_more_than_5_minutes_from_now_is_AuthenticationFailedException(int minutes)
    {
        var answer = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext), signedAt: DateTimeOffset.UtcNow.AddMinutes(minutes));

        AssertError(answer, 401, "AuthenticationFailedException");
    }

    [Fact]
    public async Task A_signature_replayed_with_another_body_is_AuthenticationFailedException()
    {
        var signed = XksHttp.EncryptBody(Plaintext);
        var sent = XksHttp.EncryptBody("something else"u8.ToArray());

        var answer = await XksHttp.SendAsync(fixture.Server.Endpoint, XksFixture.DevPath + "keys/foo/encrypt", sent, XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey, signedBody: signed);

        AssertError(answer, 401, "AuthenticationFailedException");
    }

    [Fact]
    public async Task A_signature_for_one_key_and_operation_replayed_on_another_path_is_AuthenticationFailedException()
    {
        var encrypted = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext));
        var body = XksHttp.DecryptBodyFor(encrypted, null);

        var answer = await XksHttp.SendAsync(fixture.Server.Endpoint, XksFixture.DevPath + "keys/foo/decrypt", body, XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey, signedPath: XksFixture.DevPath + "keys/foo/metadata");

        AssertError(answer, 401, "AuthenticationFailedException");
    }

    [Fact]
    public async Task A_KMS_credential_cannot_call_the_XKS_proxy_API()
    {
        var answer = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext), accessKeyId: "test", secret: "test");

        AssertError(answer, 401, "AuthenticationFailedException");
    }

    [Fact]
    public async Task An_XKS_store_credential_cannot_call_the_KMS_API()
    {
        using var kms = fixture.Server.Client(XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey);

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.EncryptAsync(new EncryptRequest { KeyId = fixture.FooKeyId, Plaintext = new MemoryStream(Plaintext) }));

        Assert.Equal("UnrecognizedClientException", error.ErrorCode);
    }

    [Fact]
    public async Task Another_stores_credential_on_this_stores_prefix_is_InvalidUriPathException_and_reaches_no_key()
    {
        var answer = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext), fixture.Other.AccessKeyId, fixture.Other.SecretAccessKey);

        AssertError(answer, 404, "InvalidUriPathException");
    }

    [Fact]
    public async Task A_key_another_store_allows_is_KeyNotFoundException_here()
    {
        var answer = await fixture.DevAsync("keys/other_key/metadata", "{" + XksHttp.Metadata("DescribeKey") + "}");

        AssertError(answer, 404, "KeyNotFoundException");
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_a_ValidationException()
    {
        var body = XksHttp.EncryptBody(new byte[50_000]);

        AssertError(await fixture.DevAsync("keys/foo/encrypt", body), 400, "ValidationException");
    }

    [Fact]
    public async Task A_plaintext_over_8_KiB_is_UnsupportedOperationException()
    {
        AssertError(await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(new byte[8193])), 501, "UnsupportedOperationException");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"requestMetadata": "x"}""")]
    [InlineData("""{"requestMetadata": {"awsPrincipalArn": "a", "kmsKeyArn": "k", "kmsOperation": "Encrypt", "kmsRequestId": "r"}, "plaintext": "***not base64***", "encryptionAlgorithm": "AES_GCM"}""")]
    [InlineData("""{"requestMetadata": {"awsPrincipalArn": "a", "kmsKeyArn": "k", "kmsOperation": "Encrypt", "kmsRequestId": "r"}, "plaintext": 12, "encryptionAlgorithm": "AES_GCM"}""")]
    [InlineData("")]
    public async Task Malformed_JSON_or_Base64_is_a_ValidationException(string body)
    {
        AssertError(await fixture.DevAsync("keys/foo/encrypt", body), 400, "ValidationException");
    }

    [Theory]
    [InlineData(11, 16)]
    [InlineData(12, 15)]
    [InlineData(13, 16)]
    public async Task Decrypt_with_an_IV_or_tag_of_a_length_the_specification_does_not_allow_is_a_ValidationException(int ivLength, int tagLength)
    {
        var body = XksHttp.DecryptBody(new byte[4], new byte[ivLength], new byte[tagLength], new byte[20]);

        AssertError(await fixture.DevAsync("keys/foo/decrypt", body), 400, "ValidationException");
    }

    [Fact]
    public async Task A_key_policy_can_refuse_an_AWS_principal_or_a_KMS_operation_by_the_request_metadata()
    {
        const string policy = """
            {"Version":"2012-10-17","Statement":[
              {"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
              {"Sid":"NotMallory","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"xks:AwsPrincipalArn":"arn:aws:iam::123456789012:user/Mallory"}}},
              {"Sid":"NoReEncrypt","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"xks:KmsOperation":"ReEncrypt"}}}]}
            """;
        await fixture.AllowNewKeyAsync("guarded_key", XksKeyUsage.EncryptDecrypt, policy);

        var alice = await fixture.DevAsync("keys/guarded_key/encrypt", XksHttp.EncryptBody(Plaintext));
        var mallory = await fixture.DevAsync("keys/guarded_key/encrypt", XksHttp.EncryptBody(Plaintext, principal: "arn:aws:iam::123456789012:user/Mallory"));
        var body = XksHttp.DecryptBodyFor(alice, null);
        var reEncrypt = await fixture.DevAsync("keys/guarded_key/decrypt", body.Replace("\"kmsOperation\": \"Decrypt\"", "\"kmsOperation\": \"ReEncrypt\"", StringComparison.Ordinal));
        var decrypt = await fixture.DevAsync("keys/guarded_key/decrypt", body);

        Assert.Equal(200, alice.Status);
        AssertError(mallory, 403, "AccessDeniedException");
        AssertError(reEncrypt, 403, "AccessDeniedException");
        Assert.Equal(Plaintext, decrypt.Bytes("plaintext"));
    }

    [Fact]
    public async Task A_key_whose_policy_does_not_allow_the_stores_principal_is_AccessDeniedException()
    {
        const string policy = """
            {"Version":"2012-10-17","Statement":[{"Sid":"AdminOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},
              "Action":["kms:Describe*","kms:Put*","kms:Get*","kms:Create*","kms:Enable*","kms:Disable*","kms:ScheduleKeyDeletion"],"Resource":"*"}]}
            """;
        await fixture.AllowNewKeyAsync("locked_key", XksKeyUsage.EncryptDecrypt, policy);

        AssertError(await fixture.DevAsync("keys/locked_key/encrypt", XksHttp.EncryptBody(Plaintext)), 403, "AccessDeniedException");
    }

    [Fact]
    public async Task A_removed_credential_is_refused_once_the_server_notices_within_a_second()
    {
        var admin = fixture.Directory.Admin;
        var added = XksFixture.Ok(await admin.AddCredentialAsync("other", null, null, default));
        var before = await XksHttp.SendAsync(fixture.Server.Endpoint, "/other/prefix/kms/xks/v1/keys/other_key/metadata", "{" + XksHttp.Metadata("DescribeKey") + "}", added.AccessKeyId, added.SecretAccessKey);

        XksFixture.Ok(await admin.RemoveCredentialAsync("other", added.AccessKeyId, default));

        Assert.Equal(200, before.Status);
        await Kms.EventuallyAsync(
            async () => (await XksHttp.SendAsync(fixture.Server.Endpoint, "/other/prefix/kms/xks/v1/keys/other_key/metadata", "{" + XksHttp.Metadata("DescribeKey") + "}", added.AccessKeyId, added.SecretAccessKey)).ErrorName == "AuthenticationFailedException",
            "the removed credential is refused");
    }

    [Fact]
    public async Task Every_call_is_audited_with_its_request_metadata_and_without_plaintext_ciphertext_or_AAD()
    {
        var keyId = await fixture.AllowNewKeyAsync("audited_key", XksKeyUsage.EncryptDecrypt);
        var key = (await fixture.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        var plaintext = "a plaintext planted for the audit"u8.ToArray();
        var aad = "an aad planted for the audit"u8.ToArray();
        var encrypted = await fixture.DevAsync("keys/audited_key/encrypt", XksHttp.EncryptBody(plaintext, aad));
        var denied = await fixture.DevAsync("keys/audited_key/decrypt", XksHttp.DecryptBodyFor(encrypted, null));

        List<JsonElement> events = [];
        await Kms.EventuallyAsync(
            async () => (events = (await CloudTrail.LookupAllAsync(fixture.Server.Endpoint, CloudTrail.Attribute("ResourceName", key.Arn)))
                .Where(e => e.GetProperty("EventSource").GetString() == "kms-xks-proxy").ToList()).Count == 2,
            "both XKS calls are in the trail");

        AssertError(denied, 400, "InvalidCiphertextException");
        var records = events.Select(CloudTrail.Record).OrderBy(r => r.GetProperty("eventName").GetString(), StringComparer.Ordinal).ToList();
        Assert.Equal(["Decrypt", "Encrypt"], records.Select(r => r.GetProperty("eventName").GetString()));
        Assert.Equal("InvalidCiphertextException", records[0].GetProperty("errorCode").GetString());
        var parameters = records[1].GetProperty("requestParameters");
        Assert.Equal("audited_key", parameters.GetProperty("externalKeyId").GetString());
        Assert.Equal("/xks/dev", parameters.GetProperty("uriPrefix").GetString());
        Assert.Equal("arn:aws:iam::123456789012:user/Alice", parameters.GetProperty("requestMetadata").GetProperty("awsPrincipalArn").GetString());
        Assert.Equal("Encrypt", parameters.GetProperty("requestMetadata").GetProperty("kmsOperation").GetString());
        Assert.Equal(36, parameters.GetProperty("requestMetadata").GetProperty("kmsRequestId").GetString()!.Length);
        Assert.Equal("arn:aws:iam::111122223333:user/citadel-xks/dev", records[1].GetProperty("userIdentity").GetProperty("arn").GetString());
        foreach (var planted in new[] { Convert.ToBase64String(plaintext), Convert.ToBase64String(aad), Convert.ToBase64String(encrypted.Bytes("ciphertext")), Convert.ToBase64String(encrypted.Bytes("authenticationTag")) })
        {
            Assert.All(events, e => Assert.DoesNotContain(planted, e.GetRawText(), StringComparison.Ordinal));
        }

        Assert.All(events, e => Assert.DoesNotContain(Encoding.UTF8.GetString(plaintext), e.GetRawText(), StringComparison.Ordinal));
        var bySource = await CloudTrail.LookupAllAsync(fixture.Server.Endpoint, CloudTrail.Attribute("EventSource", "kms-xks-proxy"));
        Assert.Equal(2, bySource.Count(e => events.Any(x => x.GetProperty("EventId").GetString() == e.GetProperty("EventId").GetString())));
    }

    [Fact]
    public async Task A_request_with_an_access_key_id_that_is_no_stores_is_recorded_as_an_Unknown_caller_in_the_account_of_the_prefixs_store()
    {
        var claimed = "NOSTORE" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

        var refused = await fixture.DevAsync("keys/foo/metadata", "{" + Metadata("DescribeKey") + "}", accessKeyId: claimed);

        AssertError(refused, 401, "AuthenticationFailedException");
        var record = CloudTrail.Record(await SingleEventAsync(claimed));
        Assert.Equal("kms-xks-proxy", record.GetProperty("eventSource").GetString());
        Assert.Equal("GetKeyMetadata", record.GetProperty("eventName").GetString());
        Assert.Equal("AuthenticationFailedException", record.GetProperty("errorCode").GetString());
        Assert.Equal("111122223333", record.GetProperty("recipientAccountId").GetString());
        CloudTrail.JsonEqual($$"""{"type": "Unknown", "accountId": "111122223333", "accessKeyId": "{{claimed}}"}""", record.GetProperty("userIdentity"));
        CloudTrail.JsonEqual("""{"uriPrefix": "/xks/dev", "externalKeyId": "foo"}""", record.GetProperty("requestParameters"));
    }

    [Fact]
    public async Task A_request_signed_with_a_stores_access_key_id_and_a_wrong_secret_is_recorded_under_the_stores_principal()
    {
        var added = XksFixture.Ok(await fixture.Directory.Admin.AddCredentialAsync("other", null, null, default));
        fixture.Directory.Clear();

        var refused = await SendAsync(fixture.Server.Endpoint, "/other/prefix/kms/xks/v1/health", "{" + Metadata("KmsHealthCheck") + "}", added.AccessKeyId, XksSetup.DevSecretAccessKey);

        AssertError(refused, 401, "AuthenticationFailedException");
        var record = CloudTrail.Record(await SingleEventAsync(added.AccessKeyId));
        Assert.Equal("GetHealthStatus", record.GetProperty("eventName").GetString());
        Assert.Equal("AuthenticationFailedException", record.GetProperty("errorCode").GetString());
        Assert.Equal("arn:aws:iam::111122223333:user/citadel-xks/other", record.GetProperty("userIdentity").GetProperty("arn").GetString());
    }

    [Fact]
    public async Task A_request_with_an_unknown_access_key_id_at_a_prefix_that_is_no_stores_is_recorded_in_no_account()
    {
        var claimed = "NOPREFIX" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

        var refused = await SendAsync(fixture.Server.Endpoint, "/nobody/kms/xks/v1/health", "{" + Metadata("KmsHealthCheck") + "}", claimed, XksSetup.DevSecretAccessKey);

        AssertError(refused, 401, "AuthenticationFailedException");
        var store = fixture.Server.Services.GetRequiredService<IAuditStore>();
        JsonElement? record = null;
        await Kms.EventuallyAsync(async () => (record = await RecordInAccountAsync(store, "", claimed)) is not null, "the refused call is in the trail");

        Assert.Equal("", record!.Value.GetProperty("recipientAccountId").GetString());
        Assert.Equal("Unknown", record.Value.GetProperty("userIdentity").GetProperty("type").GetString());
        Assert.Equal("/nobody", record.Value.GetProperty("requestParameters").GetProperty("uriPrefix").GetString());
    }

    /// <summary>The CloudTrail record of the event in <paramref name="accountId"/> with <paramref name="accessKeyId"/>, read from the store (no account's LookupEvents shows it).</summary>
    internal static async Task<JsonElement?> RecordInAccountAsync(IAuditStore store, string accountId, string accessKeyId)
    {
        var (records, _) = await store.LookupAsync(new AuditQuery(accountId, null, null, AuditLookupKey.AccessKeyId, accessKeyId, 10, null), default);
        if (records.Count == 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(Assert.Single(records).Record);
        return document.RootElement.Clone();
    }

    /// <summary>The one event whose access key id is <paramref name="accessKeyId"/>, once the indexer has it.</summary>
    private async Task<JsonElement> SingleEventAsync(string accessKeyId)
    {
        List<JsonElement> events = [];
        await Kms.EventuallyAsync(
            async () => (events = await CloudTrail.LookupAllAsync(fixture.Server.Endpoint, CloudTrail.Attribute("AccessKeyId", accessKeyId))).Count == 1,
            "the refused call is in the trail");
        return Assert.Single(events);
    }
}
