using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Xks;

using static Citadel.EndToEnd.Tests.Xks.XksHttp;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>
/// The XKS proxy API as AWS's compliance test client (aws-samples/aws-kms-xksproxy-test-client, `test-xks-proxy -a`)
/// checks it, each of its checks here, against the development store: health, key metadata, encrypt and decrypt
/// with and without AAD, the integrity value, encrypt-only, decrypt-only and impotent keys.
/// </summary>
public sealed class XksProxyTests(XksFixture fixture) : IClassFixture<XksFixture>
{
    private static readonly byte[] Plaintext = "Hello World!"u8.ToArray();
    private static readonly byte[] Aad = "project=nile,department=marketing"u8.ToArray();
    private static readonly byte[] OtherAad = "project=blue,department=finance"u8.ToArray();

    private const string HealthBody = """{"requestMetadata": {"kmsOperation": "KmsHealthCheck", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae"}}""";

    [Fact]
    public async Task GetHealthStatus_answers_with_one_proxy_and_one_ACTIVE_key_manager()
    {
        var answer = await fixture.DevAsync("health", HealthBody);

        Assert.Equal(200, answer.Status);
        var json = answer.Json!.Value;
        Assert.Equal(1, json.GetProperty("xksProxyFleetSize").GetInt32());
        Assert.Equal("Citadel", json.GetProperty("xksProxyVendor").GetString());
        Assert.StartsWith("Citadel XKS proxy ", json.GetProperty("xksProxyModel").GetString(), StringComparison.Ordinal);
        Assert.Equal("Citadel", json.GetProperty("ekmVendor").GetString());
        var fleet = Assert.Single(json.GetProperty("ekmFleetDetails").EnumerateArray());
        Assert.Equal("ACTIVE", fleet.GetProperty("healthStatus").GetString());
    }

    [Theory]
    [InlineData("health")]
    [InlineData("keys/foo/metadata")]
    [InlineData("keys/foo/encrypt")]
    [InlineData("keys/foo/decrypt")]
    public async Task A_request_without_requestMetadata_or_with_an_empty_one_is_a_ValidationException(string operation)
    {
        AssertError(await fixture.DevAsync(operation, "{}"), 400, "ValidationException");
        AssertError(await fixture.DevAsync(operation, """{"requestMetadata": {}}"""), 400, "ValidationException");
    }

    [Theory]
    [InlineData("health")]
    [InlineData("keys/foo/metadata")]
    [InlineData("keys/foo/encrypt")]
    public async Task An_unknown_access_key_id_or_a_wrong_secret_is_AuthenticationFailedException(string operation)
    {
        var body = operation == "health" ? HealthBody : XksHttp.EncryptBody(Plaintext);

        AssertError(await fixture.DevAsync(operation, body, accessKeyId: "INVALID" + XksSetup.DevAccessKeyId), 401, "AuthenticationFailedException");
        AssertError(await fixture.DevAsync(operation, body, secret: "Invalid" + XksSetup.DevSecretAccessKey), 401, "AuthenticationFailedException");
    }

    [Theory]
    [InlineData("/xks/dev/invalid/kms/xks/v1/health")]
    [InlineData("/xks/dev/invalid/kms/xks/v1/keys/foo/metadata")]
    [InlineData("/xks/dev/invalid/kms/xks/v1/keys/foo/encrypt")]
    [InlineData("/kms/xks/v1/health")]
    public async Task A_URI_prefix_that_is_not_the_stores_is_InvalidUriPathException(string path)
    {
        var answer = await XksHttp.SendAsync(fixture.Server.Endpoint, path, path.EndsWith("health", StringComparison.Ordinal) ? HealthBody : XksHttp.EncryptBody(Plaintext), XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey);

        AssertError(answer, 404, "InvalidUriPathException");
    }

    [Theory]
    [InlineData("/xks/dev/kms/xks/v1/keys/foo/sign")]
    [InlineData("/xks/dev/kms/xks/v1/keys/foo")]
    [InlineData("/xks/dev/kms/xks/v1/keys//encrypt")]
    [InlineData("/xks/dev/kms/xks/v2/health")]
    [InlineData("/xks/dev/kms/xks/v1/healthz")]
    public async Task A_path_that_names_no_operation_is_InvalidUriPathException(string path)
    {
        var answer = await XksHttp.SendAsync(fixture.Server.Endpoint, path, HealthBody, XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey);

        AssertError(answer, 404, "InvalidUriPathException");
    }

    [Fact]
    public async Task A_GET_is_405_Method_Not_Allowed()
    {
        var answer = await XksHttp.SendAsync(fixture.Server.Endpoint, XksFixture.DevPath + "health", "", XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey, method: HttpMethod.Get);

        Assert.Equal(405, answer.Status);
    }

    [Theory]
    [InlineData("foo", """["ENCRYPT","DECRYPT"]""")]
    [InlineData("encrypt_only_key", """["ENCRYPT"]""")]
    [InlineData("decrypt_only_key", """["DECRYPT"]""")]
    [InlineData("impotent_key", "[]")]
    public async Task GetKeyMetadata_names_AES_256_the_usage_the_store_allows_and_ENABLED(string externalKeyId, string usage)
    {
        foreach (var kmsOperation in new[] { "CreateKey", "DescribeKey" })
        {
            var answer = await fixture.DevAsync($"keys/{externalKeyId}/metadata", "{" + XksHttp.Metadata(kmsOperation) + "}");

            Assert.Equal(200, answer.Status);
            Assert.Equal($$"""{"keySpec":"AES_256","keyUsage":{{usage}},"keyStatus":"ENABLED"}""", answer.Text);
        }
    }

    [Theory]
    [InlineData("keys/non_existing_key/metadata")]
    [InlineData("keys/non_existing_key/encrypt")]
    [InlineData("keys/non_existing_key/decrypt")]
    [InlineData("keys/other_key/encrypt")]
    public async Task An_external_key_id_the_store_does_not_allow_is_KeyNotFoundException(string operation)
    {
        var body = operation.EndsWith("decrypt", StringComparison.Ordinal)
            ? XksHttp.DecryptBody(new byte[12], new byte[12], new byte[16], new byte[20])
            : XksHttp.EncryptBody(Plaintext);

        AssertError(await fixture.DevAsync(operation, body), 404, "KeyNotFoundException");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Encrypt_then_Decrypt_with_the_same_AAD_or_none_returns_the_plaintext(bool withAad)
    {
        var aad = withAad ? Aad : null;
        var encrypted = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext, aad));

        var decrypted = await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBodyFor(encrypted, aad));

        Assert.Equal(200, encrypted.Status);
        Assert.Equal(Plaintext.Length, encrypted.Bytes("ciphertext").Length);
        Assert.Equal(12, encrypted.Bytes("initializationVector").Length);
        Assert.Equal(16, encrypted.Bytes("authenticationTag").Length);
        Assert.Equal(20, encrypted.Bytes("ciphertextMetadata").Length);
        Assert.False(encrypted.Json!.Value.TryGetProperty("ciphertextDataIntegrityValue", out _));
        Assert.Equal(200, decrypted.Status);
        Assert.Equal(Plaintext, decrypted.Bytes("plaintext"));
    }

    [Fact]
    public async Task Decrypt_with_a_missing_added_or_different_AAD_is_InvalidCiphertextException()
    {
        var withAad = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext, Aad));
        var without = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext));

        AssertError(await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBodyFor(withAad, null)), 400, "InvalidCiphertextException");
        AssertError(await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBodyFor(withAad, OtherAad)), 400, "InvalidCiphertextException");
        AssertError(await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBodyFor(without, Aad)), 400, "InvalidCiphertextException");
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("initializationVector")]
    [InlineData("authenticationTag")]
    [InlineData("ciphertextMetadata")]
    public async Task A_changed_ciphertext_IV_tag_or_metadata_is_InvalidCiphertextException(string member)
    {
        var encrypted = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext, Aad));
        var parts = new Dictionary<string, byte[]>
        {
            ["ciphertext"] = encrypted.Bytes("ciphertext"),
            ["initializationVector"] = encrypted.Bytes("initializationVector"),
            ["authenticationTag"] = encrypted.Bytes("authenticationTag"),
            ["ciphertextMetadata"] = encrypted.Bytes("ciphertextMetadata"),
        };
        parts[member][^1] ^= 0x01;

        var answer = await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBody(parts["ciphertext"], parts["initializationVector"], parts["authenticationTag"], parts["ciphertextMetadata"], Aad));

        AssertError(answer, 400, "InvalidCiphertextException");
    }

    [Fact]
    public async Task Decrypt_without_the_ciphertextMetadata_Citadel_returned_is_InvalidCiphertextException()
    {
        var encrypted = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext));

        var answer = await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBody(encrypted.Bytes("ciphertext"), encrypted.Bytes("initializationVector"), encrypted.Bytes("authenticationTag"), null));

        AssertError(answer, 400, "InvalidCiphertextException");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Encrypt_with_SHA_256_returns_the_integrity_value_over_AAD_metadata_IV_ciphertext_and_tag(bool withAad)
    {
        var aad = withAad ? Aad : null;

        var encrypted = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext, aad, integrity: true));

        Assert.Equal(200, encrypted.Status);
        byte[] hashed = [.. aad ?? [], .. encrypted.Bytes("ciphertextMetadata"), .. encrypted.Bytes("initializationVector"), .. encrypted.Bytes("ciphertext"), .. encrypted.Bytes("authenticationTag")];
        Assert.Equal(SHA256.HashData(hashed), encrypted.Bytes("ciphertextDataIntegrityValue"));
        Assert.Equal(Plaintext, (await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBodyFor(encrypted, aad))).Bytes("plaintext"));
    }

    [Fact]
    public async Task A_large_plaintext_and_a_large_AAD_round_trip()
    {
        var plaintext = RandomNumberGenerator.GetBytes(4096);
        var aad = RandomNumberGenerator.GetBytes(8192);

        var encrypted = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(plaintext, aad));
        var decrypted = await fixture.DevAsync("keys/foo/decrypt", XksHttp.DecryptBodyFor(encrypted, aad));

        Assert.Equal(plaintext, decrypted.Bytes("plaintext"));
    }

    [Fact]
    public async Task Encrypt_without_plaintext_or_with_another_algorithm_or_integrity_algorithm_is_a_ValidationException()
    {
        var noPlaintext = "{" + XksHttp.Metadata() + """, "encryptionAlgorithm": "AES_GCM"}""";
        var otherAlgorithm = XksHttp.EncryptBody(Plaintext).Replace("AES_GCM", "AES_CBC", StringComparison.Ordinal);
        var otherIntegrity = XksHttp.EncryptBody(Plaintext, integrity: true).Replace("SHA_256", "MD5", StringComparison.Ordinal);

        AssertError(await fixture.DevAsync("keys/foo/encrypt", noPlaintext), 400, "ValidationException");
        AssertError(await fixture.DevAsync("keys/foo/encrypt", otherAlgorithm), 400, "ValidationException");
        AssertError(await fixture.DevAsync("keys/foo/encrypt", otherIntegrity), 400, "ValidationException");
    }

    [Fact]
    public async Task An_encrypt_only_key_encrypts_but_refuses_decrypt_and_the_integrity_value_with_InvalidKeyUsageException()
    {
        var encrypted = await fixture.DevAsync("keys/encrypt_only_key/encrypt", XksHttp.EncryptBody(Plaintext, Aad));

        Assert.Equal(200, encrypted.Status);
        AssertError(await fixture.DevAsync("keys/encrypt_only_key/decrypt", XksHttp.DecryptBodyFor(encrypted, Aad)), 400, "InvalidKeyUsageException");
        AssertError(await fixture.DevAsync("keys/encrypt_only_key/encrypt", XksHttp.EncryptBody(Plaintext, Aad, integrity: true)), 400, "InvalidKeyUsageException");
        AssertError(await fixture.DevAsync("keys/encrypt_only_key/encrypt", XksHttp.EncryptBody(Plaintext, integrity: true)), 400, "InvalidKeyUsageException");
    }

    [Theory]
    [InlineData("decrypt_only_key")]
    [InlineData("impotent_key")]
    public async Task A_decrypt_only_or_impotent_key_refuses_encrypt_with_InvalidKeyUsageException(string externalKeyId)
    {
        foreach (var body in new[] { XksHttp.EncryptBody(Plaintext, Aad), XksHttp.EncryptBody(Plaintext), XksHttp.EncryptBody(Plaintext, Aad, integrity: true), XksHttp.EncryptBody(Plaintext, integrity: true) })
        {
            AssertError(await fixture.DevAsync($"keys/{externalKeyId}/encrypt", body), 400, "InvalidKeyUsageException");
        }
    }

    [Fact]
    public async Task A_decrypt_only_key_decrypts_what_the_key_encrypted_under_another_usage()
    {
        var keyId = await fixture.AllowNewKeyAsync("usage_change", XksKeyUsage.EncryptDecrypt);
        var encrypted = await fixture.DevAsync("keys/usage_change/encrypt", XksHttp.EncryptBody(Plaintext));
        XksFixture.Ok(await fixture.Directory.Admin.AllowKeyAsync(XksSetup.DevStoreName, keyId, "usage_change", XksKeyUsage.Decrypt, default));
        fixture.Directory.Clear();

        var decrypted = await fixture.DevAsync("keys/usage_change/decrypt", XksHttp.DecryptBodyFor(encrypted, null));

        Assert.Equal(Plaintext, decrypted.Bytes("plaintext"));
        AssertError(await fixture.DevAsync("keys/usage_change/encrypt", XksHttp.EncryptBody(Plaintext)), 400, "InvalidKeyUsageException");
    }

    [Fact]
    public async Task A_disabled_key_says_DISABLED_and_refuses_encrypt_and_decrypt_with_InvalidStateException_until_enabled()
    {
        var keyId = await fixture.AllowNewKeyAsync("disabled_key", XksKeyUsage.EncryptDecrypt);
        var encrypted = await fixture.DevAsync("keys/disabled_key/encrypt", XksHttp.EncryptBody(Plaintext));
        await fixture.Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });

        var metadata = await fixture.DevAsync("keys/disabled_key/metadata", "{" + XksHttp.Metadata("DescribeKey") + "}");
        var encrypt = await fixture.DevAsync("keys/disabled_key/encrypt", XksHttp.EncryptBody(Plaintext));
        var decrypt = await fixture.DevAsync("keys/disabled_key/decrypt", XksHttp.DecryptBodyFor(encrypted, null));
        await fixture.Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId });
        var enabled = await fixture.DevAsync("keys/disabled_key/decrypt", XksHttp.DecryptBodyFor(encrypted, null));

        Assert.Equal("""{"keySpec":"AES_256","keyUsage":["ENCRYPT","DECRYPT"],"keyStatus":"DISABLED"}""", metadata.Text);
        AssertError(encrypt, 400, "InvalidStateException");
        AssertError(decrypt, 400, "InvalidStateException");
        Assert.Equal(Plaintext, enabled.Bytes("plaintext"));
    }

    [Fact]
    public async Task What_a_key_encrypted_before_its_rotation_still_decrypts_after_it()
    {
        var keyId = await fixture.AllowNewKeyAsync("rotated_key", XksKeyUsage.EncryptDecrypt);
        var before = await fixture.DevAsync("keys/rotated_key/encrypt", XksHttp.EncryptBody(Plaintext, Aad));

        await fixture.Kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        var after = await fixture.DevAsync("keys/rotated_key/encrypt", XksHttp.EncryptBody(Plaintext, Aad));

        Assert.Equal([1, 0, 0, 1], before.Bytes("ciphertextMetadata")[..4]);
        Assert.Equal([1, 0, 0, 2], after.Bytes("ciphertextMetadata")[..4]);
        Assert.Equal(Plaintext, (await fixture.DevAsync("keys/rotated_key/decrypt", XksHttp.DecryptBodyFor(before, Aad))).Bytes("plaintext"));
        Assert.Equal(Plaintext, (await fixture.DevAsync("keys/rotated_key/decrypt", XksHttp.DecryptBodyFor(after, Aad))).Bytes("plaintext"));
    }

    [Fact]
    public async Task Unknown_members_in_the_body_and_in_requestMetadata_are_ignored_as_the_specification_asks()
    {
        var body = XksHttp.EncryptBody(Plaintext).Replace("\"kmsViaService\": \"ebs\"", "\"kmsViaService\": \"ebs\", \"kmsFutureField\": {\"x\": 1}", StringComparison.Ordinal)
            .Replace("\"encryptionAlgorithm\"", "\"futureMember\": [1, 2], \"encryptionAlgorithm\"", StringComparison.Ordinal);

        var answer = await fixture.DevAsync("keys/foo/encrypt", body);

        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task The_second_store_serves_its_own_prefix_with_its_own_credential()
    {
        var answer = await XksHttp.SendAsync(fixture.Server.Endpoint, "/other/prefix/kms/xks/v1/keys/other_key/encrypt", XksHttp.EncryptBody(Plaintext), fixture.Other.AccessKeyId, fixture.Other.SecretAccessKey);

        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Error_bodies_carry_errorName_and_a_printable_errorMessage_under_512_characters()
    {
        var answer = await fixture.DevAsync("keys/foo/encrypt", XksHttp.EncryptBody(Plaintext), secret: "Invalid" + XksSetup.DevSecretAccessKey);

        var message = answer.Member("errorMessage");
        Assert.NotNull(answer.Json);
        Assert.InRange(message.Length, 1, 511);
        Assert.All(message, c => Assert.InRange(c, ' ', '~'));
        Assert.DoesNotContain(XksSetup.DevSecretAccessKey, message, StringComparison.Ordinal);
        Assert.Equal(Encoding.ASCII.GetByteCount(message), message.Length);
    }
}
