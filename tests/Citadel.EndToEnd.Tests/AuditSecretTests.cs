using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Citadel.EndToEnd.Tests.Import;
using Citadel.Server.Identity;
using Citadel.Storage;
using Citadel.Storage.Sqlite;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Plants distinctive secrets — plaintexts (in successful, refused, invalid and malformed requests), a returned
/// data key, random bytes and an access key's secret — and finds them in no stored byte (database, WAL and audit journal), no
/// exported event and no log line, at the most verbose log level.
/// </summary>
[Trait("Issue", "4")]
public sealed class AuditSecretTests
{
    [Fact]
    public async Task No_plaintext_data_key_random_bytes_or_secret_access_key_is_stored_exported_or_logged()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-secrets-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, logLevel: "Trace");
        await server.StartAsync();
        TestUser user;
        await using (var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None))
        {
            user = await Users.CreateUserAsync(admin.Identities, "secret-holder", Users.Allow("kms:*"));
        }

        await Users.WaitUntilAcceptedAsync(server.Endpoint, user);
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal) { ["secret access key"] = Encoding.ASCII.GetBytes(user.Secret) };
        var requestIds = new List<string>();
        using var root = server.Client();
        using var asUser = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials(user.AccessKeyId, user.Secret),
            new AmazonKeyManagementServiceConfig { ServiceURL = server.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        var key = await root.NewKeyAsync();

        var text = Plant(secrets, "text plaintext", Encoding.UTF8.GetBytes("citadel-plaintext-marker-" + Guid.NewGuid().ToString("N")));
        var encrypted = await root.EncryptAsync(key.KeyId, text, Kms.Context("app", "secrets"));
        var decrypted = await root.DecryptAsync(encrypted.CiphertextBlob, Kms.Context("app", "secrets"));
        Assert.Equal(text, decrypted.Plaintext.ToArray());
        var binary = Plant(secrets, "binary plaintext", RandomNumberGenerator.GetBytes(48));
        var byUser = await asUser.EncryptAsync(key.KeyId, binary);
        var dataKey = await asUser.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 });
        Plant(secrets, "data key", dataKey.Plaintext.ToArray());
        var random = await root.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32 });
        Plant(secrets, "random bytes", random.Plaintext.ToArray());
        var tooLong = Plant(secrets, "plaintext of a ValidationException", RandomNumberGenerator.GetBytes(4097));
        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => root.EncryptAsync(key.KeyId, tooLong));
        var malformed = Plant(secrets, "plaintext of a malformed body", RandomNumberGenerator.GetBytes(40));
        var (status, _, response) = await SignedHttp.SendAsync(
            server.Endpoint,
            "TrentService.Encrypt",
            Encoding.UTF8.GetBytes($$"""{"KeyId":"{{key.KeyId}}","Plaintext":"{{Convert.ToBase64String(malformed)}}","EncryptionContext":{"a":1}"""));
        response.Dispose();
        Assert.Equal(400, status);
        await root.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        var refused = Plant(secrets, "plaintext of a DisabledException", RandomNumberGenerator.GetBytes(40));
        await Assert.ThrowsAsync<DisabledException>(() => root.EncryptAsync(key.KeyId, refused));
        requestIds.AddRange([encrypted.ResponseMetadata.RequestId, decrypted.ResponseMetadata.RequestId, byUser.ResponseMetadata.RequestId, dataKey.ResponseMetadata.RequestId]);

        await AssertNowhereAsync(server, dataDirectory, secrets, requestIds, exportedExtra: "");
    }

    [Fact]
    [Trait("Issue", "16")]
    public async Task Secrets_in_wrongly_cased_unknown_or_mistyped_members_are_recorded_nowhere_whether_the_call_fails_or_succeeds()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-secrets-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, logLevel: "Trace");
        await server.StartAsync();
        using var root = server.Client();
        var key = await root.NewKeyAsync();
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string Secret(string what) => Convert.ToBase64String(Plant(secrets, what, RandomNumberGenerator.GetBytes(33)));

        // Each body, its operation and the status the call gets (0: whichever; a grant token may be checked first): failing and succeeding calls alike.
        var calls = new (string Target, string Body, int Status)[]
        {
            ("TrentService.Encrypt", $$$"""{"KeyId":"{{{key.KeyId}}}","plaintext":"{{{Secret("lower-case plaintext of a failing call")}}}"}""", 400),
            ("TrentService.Encrypt", $$$"""{"KeyId":"{{{key.KeyId}}}","Plaintext":"AQID","plaintext":"{{{Secret("lower-case plaintext of a succeeding call")}}}","PLAINTEXT":"{{{Secret("upper-case plaintext")}}}"}""", 200),
            ("TrentService.Encrypt", $$$"""{"KeyId":"{{{key.KeyId}}}","Plaintext":"AQID","Password":"{{{Secret("unknown member of a succeeding call")}}}","Extra":{"Nested":["{{{Secret("nested unknown member")}}}"]}}""", 200),
            ("TrentService.Encrypt", $$$"""{"KeyId":"alias/missing","Plaintext":"AQID","Password":"{{{Secret("unknown member of a failing call")}}}"}""", 400),
            ("TrentService.Encrypt", $$$"""{"KeyId":{"Plaintext":"{{{Secret("object in a string member")}}}"},"Plaintext":"AQID"}""", 400),
            ("TrentService.Encrypt", $$$"""{"KeyId":"{{{key.KeyId}}}","Plaintext":"AQID","EncryptionContext":{"a":{"b":"{{{Secret("object in an encryption context value")}}}"} } }""", 400),
            ("TrentService.CreateGrant", $$$"""{"KeyId":"{{{key.KeyId}}}","GranteePrincipal":"arn:aws:iam::111122223333:root","Operations":["Encrypt"],"Constraints":{"EncryptionContextSubset":{"app":"x"},"Secret":"{{{Secret("unknown member of a nested structure")}}}"}}""", 200),
            ("TrentService.TagResource", $$$"""{"KeyId":"{{{key.KeyId}}}","Tags":[{"TagKey":"k","TagValue":"v","Hidden":"{{{Secret("unknown member of a list's structure")}}}"}]}""", 200),
            ("TrentService.DescribeKey", $$$"""{"KeyId":"{{{key.KeyId}}}","GrantTokens":["{{{Secret("grant token")}}}"]}""", 0),
            ("TrentService.DescribeKey", $$$"""{"KeyId":"{{{key.KeyId}}}","GrantTokens":["{{{string.Concat(Enumerable.Repeat(Secret("grant token too long for the model"), 200))}}}"]}""", 400),
            ("TrentService.CreateCustomKeyStore", $$$"""{"CustomKeyStoreName":"hsm","CloudHsmClusterId":"cluster-234567abcdef","KeyStorePassword":"{{{Secret("custom key store password")}}}"}""", 400),
            ("TrentService.UpdateCustomKeyStore", $$$"""{"CustomKeyStoreId":"cks-1234567890abcdef0","XksProxyAuthenticationCredential":{"AccessKeyId":"{{{Secret("XKS access key id")}}}","RawSecretAccessKey":"{{{Secret("XKS secret access key")}}}"}}""", 400),
        };
        var requestIds = new List<string>();
        foreach (var (target, body, expected) in calls)
        {
            var (status, answer, response) = await SignedHttp.SendAsync(server.Endpoint, target, body);
            Assert.True(expected == status || expected == 0, $"{target} {body} answered {status} {answer}");
            requestIds.Add(response.Headers.GetValues("x-amzn-RequestId").Single());
            response.Dispose();
        }

        var looked = new List<JsonElement>();
        await Kms.EventuallyAsync(
            async () =>
            {
                looked = await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("ResourceName", key.Arn));
                var found = looked.Select(e => CloudTrail.RequestId(CloudTrail.Record(e))).ToHashSet();
                return requestIds.Where((_, i) => calls[i].Status == 200).All(found.Contains);
            },
            "LookupEvents returns the successful calls");

        await AssertNowhereAsync(server, dataDirectory, secrets, requestIds, exportedExtra: string.Join('\n', looked.Select(e => e.GetRawText())));
    }

    [Fact]
    [Trait("Issue", "16")]
    public async Task A_bad_signature_is_recorded_without_the_canonical_request_whose_body_hash_would_confirm_a_guessed_plaintext()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-secrets-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, logLevel: "Trace");
        await server.StartAsync();
        using var root = server.Client();
        var key = await root.NewKeyAsync();
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var body = Encoding.UTF8.GetBytes($$"""{"KeyId":"{{key.KeyId}}","Plaintext":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes("PIN 4711"))}}"}""");
        Plant(secrets, "SHA-256 of a body that carries a plaintext", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body))));

        // The access key is known, so the attempt is audited; the wrong secret makes the signature fail.
        var (status, answer, response) = await SignedHttp.SendAsync(server.Endpoint, "TrentService.Encrypt", body, secret: "not-the-secret");
        var requestId = response.Headers.GetValues("x-amzn-RequestId").Single();
        response.Dispose();

        Assert.Equal(400, status);
        Assert.Contains("InvalidSignatureException", answer, StringComparison.Ordinal);
        await AssertNowhereAsync(server, dataDirectory, secrets, [requestId], exportedExtra: "");
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task No_private_key_message_shared_secret_imported_key_material_or_IAM_secret_access_key_is_stored_exported_or_logged()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-secrets-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory, logLevel: "Trace");
        await server.StartAsync();
        using var root = server.Client();
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var requestIds = new List<string>();
        var symmetric = await root.NewKeyAsync();

        var pair = await root.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = symmetric.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 });
        Plant(secrets, "data key pair's private key", pair.PrivateKeyPlaintext.ToArray());
        requestIds.Add(pair.ResponseMetadata.RequestId);

        var signing = (await root.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata;
        var message = Plant(secrets, "message signed", RandomNumberGenerator.GetBytes(40));
        var signed = await root.SignAsync(new SignRequest { KeyId = signing.KeyId, Message = new MemoryStream(message), MessageType = MessageType.RAW, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256 });
        requestIds.Add(signed.ResponseMetadata.RequestId);

        var hmac = (await root.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC })).KeyMetadata;
        var macked = Plant(secrets, "message MACed", RandomNumberGenerator.GetBytes(40));
        var mac = await root.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, Message = new MemoryStream(macked), MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 });
        requestIds.Add(mac.ResponseMetadata.RequestId);

        var agreement = (await root.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.KEY_AGREEMENT })).KeyMetadata;
        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var derived = await root.DeriveSharedSecretAsync(new DeriveSharedSecretRequest { KeyId = agreement.KeyId, KeyAgreementAlgorithm = KeyAgreementAlgorithmSpec.ECDH, PublicKey = new MemoryStream(peer.ExportSubjectPublicKeyInfo()) });
        Plant(secrets, "shared secret", derived.SharedSecret.ToArray());
        requestIds.Add(derived.ResponseMetadata.RequestId);

        var external = await root.NewExternalKeyAsync();
        var material = Plant(secrets, "imported key material", RandomNumberGenerator.GetBytes(32));
        var parameters = await root.ParametersAsync(external.KeyId);
        var wrapped = Plant(secrets, "encrypted key material", CustomerWrapping.Wrap("RSAES_OAEP_SHA_256", parameters.PublicKey.ToArray(), material));
        Plant(secrets, "import token", parameters.ImportToken.ToArray());
        var imported = await root.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = external.KeyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = new MemoryStream(wrapped),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });
        requestIds.AddRange([parameters.ResponseMetadata.RequestId, imported.ResponseMetadata.RequestId]);

        var user = await QueryHttp.SendAsync(server.Endpoint, "Action=CreateUser&UserName=secret-keeper&Version=2010-05-08", service: "iam");
        var accessKey = await QueryHttp.SendAsync(server.Endpoint, "Action=CreateAccessKey&UserName=secret-keeper&Version=2010-05-08", service: "iam");
        Assert.Equal((200, 200), (user.Status, accessKey.Status));
        Plant(secrets, "IAM secret access key", Encoding.ASCII.GetBytes(accessKey.Value("SecretAccessKey")!));
        requestIds.Add(accessKey.RequestId);

        await AssertNowhereAsync(server, dataDirectory, secrets, requestIds, exportedExtra: "");
    }

    /// <summary>
    /// Kills the server and looks for every secret in its log, its audit journals, its database files and the exported
    /// events (plus <paramref name="exportedExtra"/>, e.g. LookupEvents answers), which must hold every request id.
    /// </summary>
    private static async Task AssertNowhereAsync(ServerProcess server, string dataDirectory, Dictionary<string, byte[]> secrets, IEnumerable<string> requestIds, string exportedExtra)
    {
        // Killed, the server leaves its audit journal behind: read it before the tools move it into the database.
        var logs = string.Join('\n', server.Output);
        server.Kill();
        var journals = Directory.GetFiles(Path.Combine(dataDirectory, "audit-journal"), "*.journal");
        Assert.NotEmpty(journals);
        var stored = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var journal in journals)
        {
            stored[Path.GetFileName(journal)] = await ReadSharedAsync(journal);
        }

        string exported;
        await using (var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None))
        {
            using var writer = new StringWriter();
            await admin.Audit.ExportJsonLinesAsync(writer, null, null, CancellationToken.None);
            exported = writer.ToString() + exportedExtra;
        }

        foreach (var file in Directory.GetFiles(dataDirectory).Where(f => Path.GetFileName(f).StartsWith("citadel.db", StringComparison.Ordinal)))
        {
            stored[Path.GetFileName(file)] = await ReadSharedAsync(file);
        }

        Assert.All(requestIds, id => Assert.Contains(id, exported, StringComparison.Ordinal));
        Assert.Contains(server.Output, l => l.Contains("trce:", StringComparison.Ordinal) || l.Contains("dbug:", StringComparison.Ordinal));
        Assert.Contains("citadel.db", stored.Keys);
        foreach (var (what, secret) in secrets)
        {
            foreach (var form in Forms(secret))
            {
                Assert.False(exported.Contains(form, StringComparison.OrdinalIgnoreCase), $"The {what} ({form}) is in the exported events.");
                Assert.False(logs.Contains(form, StringComparison.OrdinalIgnoreCase), $"The {what} ({form}) is in the server's log.");
            }

            foreach (var (file, bytes) in stored)
            {
                Assert.False(bytes.AsSpan().IndexOf(secret) >= 0, $"The {what} (raw bytes) is in {file}.");
                foreach (var form in Forms(secret))
                {
                    Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)) >= 0, $"The {what} ({form}) is in {file}.");
                }
            }
        }

        Directory.Delete(dataDirectory, recursive: true);
    }

    private static byte[] Plant(Dictionary<string, byte[]> secrets, string what, byte[] secret)
    {
        secrets[what] = secret;
        return secret;
    }

    /// <summary>How a secret could appear in text: base64 (also as JSON escapes '+'), hex, and as itself if it is text.</summary>
    private static IEnumerable<string> Forms(byte[] secret)
    {
        var base64 = Convert.ToBase64String(secret);
        yield return base64;
        yield return base64.Replace("+", "\\u002B", StringComparison.Ordinal);
        yield return Convert.ToHexString(secret);
        if (secret.All(b => b is >= 0x20 and < 0x7F))
        {
            yield return Encoding.ASCII.GetString(secret);
        }
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await file.CopyToAsync(copy);
        return copy.ToArray();
    }
}
