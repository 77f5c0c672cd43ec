using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Hosting;

namespace Citadel.EndToEnd.Tests;

/// <summary>A server with a test XKS proxy it trusts (its CA, its port), for the external key store tests.</summary>
public sealed class ExternalKeyStoreFixture : IAsyncLifetime
{
    public TestXksProxy Proxy { get; private set; } = null!;

    public CitadelServer Server { get; private set; } = null!;

    public AmazonKeyManagementServiceClient Kms { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Proxy = await TestXksProxy.StartAsync();
        Server = await CitadelServer.StartAsync(configure: Configure(Proxy));
        Kms = Server.Client();
    }

    /// <summary>The proxy's port and CA; 5 seconds per proxy call, so a busy test machine is never taken for a slow proxy.</summary>
    public static Action<ServerSettings> Configure(TestXksProxy proxy) => settings =>
    {
        settings.Options["CustomKeyStores:ProxyPort"] = proxy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings.Options["CustomKeyStores:TrustedCertificateAuthoritiesFile"] = proxy.CaFile;
        settings.Options["CustomKeyStores:ProxyTimeout"] = "00:00:05";
        settings.Options["CustomKeyStores:MaxStoresPerRegion"] = "100";
    };

    public async Task DisposeAsync()
    {
        Kms.Dispose();
        await Server.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

/// <summary>
/// Custom key stores of type EXTERNAL_KEY_STORE in Citadel's KMS API, against a test XKS proxy (<see cref="TestXksProxy"/>):
/// the six operations, keys created against the proxy's key metadata, double encryption, and AWS's errors when the proxy
/// refuses, stalls, lies or is gone. Messages are the KMS API reference's and the XKS proxy API specification's.
/// </summary>
[Trait("Issue", "20")]
public sealed class ExternalKeyStoreTests(ExternalKeyStoreFixture fixture) : IClassFixture<ExternalKeyStoreFixture>
{
    private const string NotConnected = "This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again.";

    private AmazonKeyManagementServiceClient KmsClient => fixture.Kms;

    private TestXksProxy Proxy => fixture.Proxy;

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    internal static CreateCustomKeyStoreRequest StoreRequest(string name, string prefix, string secret = TestXksProxy.Secret) => new()
    {
        CustomKeyStoreName = name,
        CustomKeyStoreType = CustomKeyStoreType.EXTERNAL_KEY_STORE,
        XksProxyConnectivity = XksProxyConnectivityType.PUBLIC_ENDPOINT,
        XksProxyUriEndpoint = "https://localhost",
        XksProxyUriPath = $"/{prefix}/kms/xks/v1",
        XksProxyAuthenticationCredential = new XksProxyAuthenticationCredentialType { AccessKeyId = TestXksProxy.AccessKeyId, RawSecretAccessKey = secret },
    };

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> ConnectedStoreAsync()
    {
        var id = (await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p")))).CustomKeyStoreId;
        await KmsClient.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = id });
        return id;
    }

    private async Task<CustomKeyStoresListEntry> DescribeAsync(string id) =>
        Assert.Single((await KmsClient.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = id })).CustomKeyStores);

    private Task<CreateKeyResponse> CreateKeyAsync(string storeId, string xksKeyId) =>
        KmsClient.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL_KEY_STORE, CustomKeyStoreId = storeId, XksKeyId = xksKeyId });

    private async Task WithModeAsync(ProxyMode mode, Func<Task> act)
    {
        Proxy.Mode = mode;
        try
        {
            await act();
        }
        finally
        {
            Proxy.Mode = ProxyMode.Normal;
        }
    }

    [Fact]
    public async Task A_store_is_created_disconnected_then_connects_and_is_described_without_its_secret()
    {
        var name = Unique("store-");
        var prefix = Unique("p");

        var id = (await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(name, prefix))).CustomKeyStoreId;
        var created = await DescribeAsync(id);
        await KmsClient.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = id });
        var connected = await DescribeAsync(id);

        Assert.Matches("^cks-[0-9a-f]{17}$", id);
        Assert.Equal((name, "DISCONNECTED", "EXTERNAL_KEY_STORE"), (created.CustomKeyStoreName, created.ConnectionState.Value, created.CustomKeyStoreType.Value));
        Assert.Equal("CONNECTED", connected.ConnectionState.Value);
        Assert.Null(connected.ConnectionErrorCode);
        Assert.Equal(
            ("PUBLIC_ENDPOINT", TestXksProxy.AccessKeyId, "https://localhost", $"/{prefix}/kms/xks/v1"),
            (connected.XksProxyConfiguration.Connectivity.Value, connected.XksProxyConfiguration.AccessKeyId, connected.XksProxyConfiguration.UriEndpoint, connected.XksProxyConfiguration.UriPath));
        var (_, body, response) = await SignedHttp.SendAsync(fixture.Server.Endpoint, "TrentService.DescribeCustomKeyStores", "{}");
        response.Dispose();
        Assert.DoesNotContain(TestXksProxy.Secret, body, StringComparison.Ordinal);
        Assert.Contains(
            """{"kmsOperation":"ConnectCustomKeyStore","kmsRequestId":""",
            Proxy.Metadata.Last().Replace("\"awsPrincipalArn\":\"arn:aws:iam::111122223333:root\",", "", StringComparison.Ordinal),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_in_the_store_encrypts_and_decrypts_by_double_encryption_and_the_proxy_never_sees_the_plaintext()
    {
        var store = await ConnectedStoreAsync();
        var xksKey = Proxy.NewKey();
        var context = new Dictionary<string, string> { ["purpose"] = "xks" };

        var key = (await CreateKeyAsync(store, xksKey)).KeyMetadata;
        var described = (await KmsClient.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        var encrypted = await KmsClient.EncryptAsync(key.KeyId, Encoding.UTF8.GetBytes("attack at dawn"), context);
        var decrypted = await KmsClient.DecryptAsync(encrypted.CiphertextBlob, context);
        var dataKey = await KmsClient.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.Arn, KeySpec = DataKeySpec.AES_256 });
        var dataKeyBack = await KmsClient.DecryptAsync(new DecryptRequest { CiphertextBlob = dataKey.CiphertextBlob });
        var other = await KmsClient.NewKeyAsync();
        var moved = await KmsClient.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()), SourceEncryptionContext = context, DestinationKeyId = other.KeyId });
        var back = await KmsClient.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = moved.CiphertextBlob, DestinationKeyId = key.KeyId, DestinationEncryptionContext = context });

        Assert.Equal(("EXTERNAL_KEY_STORE", store, xksKey), (described.Origin.Value, described.CustomKeyStoreId, described.XksKeyConfiguration.Id));
        Assert.Equal((store, xksKey), (key.CustomKeyStoreId, key.XksKeyConfiguration.Id));
        Assert.Equal("attack at dawn", Encoding.UTF8.GetString(decrypted.Plaintext.ToArray()));
        Assert.Equal(dataKey.Plaintext.ToArray(), dataKeyBack.Plaintext.ToArray());
        Assert.Equal("attack at dawn", Encoding.UTF8.GetString((await KmsClient.DecryptAsync(back.CiphertextBlob, context)).Plaintext.ToArray()));
        Assert.Equal(3, encrypted.CiphertextBlob.ToArray()[0]);
        Assert.DoesNotContain(Proxy.EncryptedPlaintexts, p => Encoding.UTF8.GetString(p).Contains("attack at dawn", StringComparison.Ordinal));
        Assert.DoesNotContain(Proxy.EncryptedPlaintexts, p => p.AsSpan().IndexOf(dataKey.Plaintext.ToArray()) >= 0);
    }

    [Fact]
    public async Task Decrypt_with_the_external_key_disabled_or_the_store_disconnected_fails_with_KMSInvalidState()
    {
        var store = await ConnectedStoreAsync();
        var xksKey = Proxy.NewKey();
        var key = (await CreateKeyAsync(store, xksKey)).KeyMetadata;
        var encrypted = await KmsClient.EncryptAsync(key.KeyId, [1, 2, 3]);

        Proxy.SetEnabled(xksKey, false);
        await Kms.FailsAsync<KMSInvalidStateException>(
            () => KmsClient.DecryptAsync(encrypted.CiphertextBlob),
            "KMSInvalidStateException",
            "The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.");
        Proxy.SetEnabled(xksKey, true);
        await KmsClient.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = store });

        await Kms.FailsAsync<KMSInvalidStateException>(() => KmsClient.DecryptAsync(encrypted.CiphertextBlob), "KMSInvalidStateException", NotConnected);
        await Kms.FailsAsync<KMSInvalidStateException>(() => KmsClient.EncryptAsync(key.KeyId, [1]), "KMSInvalidStateException", NotConnected);
        await Kms.FailsAsync<CustomKeyStoreInvalidStateException>(() => CreateKeyAsync(store, Proxy.NewKey()), "CustomKeyStoreInvalidStateException", NotConnected);
    }

    [Fact]
    public async Task A_ciphertext_given_another_encryption_context_or_changed_is_refused_and_the_proxys_lies_are_caught()
    {
        var store = await ConnectedStoreAsync();
        var key = (await CreateKeyAsync(store, Proxy.NewKey())).KeyMetadata;
        var encrypted = (await KmsClient.EncryptAsync(key.KeyId, [1, 2, 3], new() { ["a"] = "1" })).CiphertextBlob.ToArray();
        var changed = (byte[])encrypted.Clone();
        changed[^1] ^= 1;

        await Kms.FailsAsync<KMSInvalidStateException>(
            () => KmsClient.DecryptAsync(new MemoryStream(encrypted), new() { ["a"] = "2" }),
            "KMSInvalidStateException",
            "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.");
        await Kms.FailsAsync<KMSInvalidStateException>(() => KmsClient.DecryptAsync(new MemoryStream(changed), new() { ["a"] = "1" }), "KMSInvalidStateException", null);
        await WithModeAsync(ProxyMode.ForeignPlaintext, () => Kms.FailsAsync<InvalidCiphertextException>(
            () => KmsClient.DecryptAsync(new MemoryStream(encrypted), new() { ["a"] = "1" }), "InvalidCiphertextException", null));
        await WithModeAsync(ProxyMode.WrongIntegrityValue, () => Kms.FailsAsync<KMSInvalidStateException>(
            () => KmsClient.EncryptAsync(key.KeyId, [1, 2, 3]),
            "KMSInvalidStateException",
            "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator."));
    }

    [Fact]
    public async Task A_slow_proxy_fails_Encrypt_with_KMSInvalidState_and_Connect_leaves_the_store_FAILED_with_XKS_PROXY_TIMED_OUT()
    {
        var store = await ConnectedStoreAsync();
        var key = (await CreateKeyAsync(store, Proxy.NewKey())).KeyMetadata;
        var other = (await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p")))).CustomKeyStoreId;

        await WithModeAsync(ProxyMode.Slow, async () =>
        {
            await Kms.FailsAsync<KMSInvalidStateException>(
                () => KmsClient.EncryptAsync(key.KeyId, [1]),
                "KMSInvalidStateException",
                "AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.");
            await KmsClient.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = other });
        });
        var failed = await DescribeAsync(other);

        Assert.Equal(("FAILED", "XKS_PROXY_TIMED_OUT"), (failed.ConnectionState.Value, failed.ConnectionErrorCode.Value));
        await Kms.FailsAsync<CustomKeyStoreInvalidStateException>(
            () => KmsClient.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = other }), "CustomKeyStoreInvalidStateException", null);
        await KmsClient.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = other });
        await KmsClient.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = other });
        Assert.Equal("CONNECTED", (await DescribeAsync(other)).ConnectionState.Value);
    }

    [Fact]
    public async Task A_refusing_proxy_fails_CreateCustomKeyStore_and_leaves_Connect_FAILED_with_INVALID_CREDENTIALS()
    {
        var store = (await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p")))).CustomKeyStoreId;

        await WithModeAsync(ProxyMode.RefuseCredential, async () =>
        {
            await Kms.FailsAsync<XksProxyIncorrectAuthenticationCredentialException>(
                () => KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p"))),
                "XksProxyIncorrectAuthenticationCredentialException",
                "The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.");
            await KmsClient.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = store });
        });

        var failed = await DescribeAsync(store);
        Assert.Equal(("FAILED", "INVALID_CREDENTIALS"), (failed.ConnectionState.Value, failed.ConnectionErrorCode.Value));
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_proxys_signature_check()
    {
        await Kms.FailsAsync<XksProxyIncorrectAuthenticationCredentialException>(
            () => KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p"), secret: "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc=")),
            "XksProxyIncorrectAuthenticationCredentialException",
            null);
    }

    [Fact]
    public async Task CreateCustomKeyStore_refuses_a_taken_name_a_taken_proxy_address_and_a_VPC_endpoint_service()
    {
        var name = Unique("store-");
        var prefix = Unique("p");
        await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(name, prefix));
        var vpc = StoreRequest(Unique("store-"), Unique("p"));
        vpc.XksProxyConnectivity = XksProxyConnectivityType.VPC_ENDPOINT_SERVICE;
        vpc.XksProxyVpcEndpointServiceName = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";

        await Kms.FailsAsync<CustomKeyStoreNameInUseException>(
            () => KmsClient.CreateCustomKeyStoreAsync(StoreRequest(name, Unique("p"))),
            "CustomKeyStoreNameInUseException",
            "The request was rejected because the specified custom key store name is already assigned to another custom key store in the account. Try again with a custom key store name that is unique in the account.");
        await Kms.FailsAsync<XksProxyUriInUseException>(
            () => KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), prefix)),
            "XksProxyUriInUseException",
            "The request was rejected because the concatenation of the XksProxyUriEndpoint and XksProxyUriPath is already associated with another external key store in this Amazon Web Services Region. Each external key store in a Region must use a unique external key store proxy API address.");
        await Kms.FailsAsync<XksProxyVpcEndpointServiceNotFoundException>(() => KmsClient.CreateCustomKeyStoreAsync(vpc), "XksProxyVpcEndpointServiceNotFoundException", null);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task The_proxy_secret_given_to_CreateCustomKeyStore_and_UpdateCustomKeyStore_is_in_no_audit_event()
    {
        // The proxy accepts only its own secret: these calls fail, and their events are recorded with the request's parameters.
        var created = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(33));
        var updated = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(33));
        var refused = await Assert.ThrowsAsync<XksProxyIncorrectAuthenticationCredentialException>(() => KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p"), created)));
        var store = (await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p")))).CustomKeyStoreId;
        var requestIds = new List<string> { refused.RequestId };
        try
        {
            requestIds.Add((await KmsClient.UpdateCustomKeyStoreAsync(new UpdateCustomKeyStoreRequest
            {
                CustomKeyStoreId = store,
                XksProxyAuthenticationCredential = new XksProxyAuthenticationCredentialType { AccessKeyId = TestXksProxy.AccessKeyId, RawSecretAccessKey = updated },
            })).ResponseMetadata.RequestId);
        }
        catch (AmazonKeyManagementServiceException exception)
        {
            requestIds.Add(exception.RequestId);
        }

        var events = new List<System.Text.Json.JsonElement>();
        foreach (var name in new[] { "CreateCustomKeyStore", "UpdateCustomKeyStore" })
        {
            events.AddRange(await CloudTrail.LookupAllAsync(fixture.Server.Endpoint, CloudTrail.Attribute("EventName", name)));
        }

        var texts = string.Join('\n', events.Select(e => e.GetRawText()));
        Assert.All(requestIds, id => Assert.Contains(id, texts, StringComparison.Ordinal));
        Assert.DoesNotContain(created, texts, StringComparison.Ordinal);
        Assert.DoesNotContain(updated, texts, StringComparison.Ordinal);
        Assert.DoesNotContain(updated.Replace("+", "\\u002B", StringComparison.Ordinal), texts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_and_Delete_follow_the_connection_state_and_a_store_with_keys_cannot_be_deleted()
    {
        var store = await ConnectedStoreAsync();
        var key = (await CreateKeyAsync(store, Proxy.NewKey())).KeyMetadata;
        var renamed = Unique("renamed-");

        await KmsClient.UpdateCustomKeyStoreAsync(new UpdateCustomKeyStoreRequest { CustomKeyStoreId = store, NewCustomKeyStoreName = renamed });
        await Kms.FailsAsync<CustomKeyStoreInvalidStateException>(
            () => KmsClient.UpdateCustomKeyStoreAsync(new UpdateCustomKeyStoreRequest { CustomKeyStoreId = store, XksProxyUriPath = $"/{Unique("p")}/kms/xks/v1" }), "CustomKeyStoreInvalidStateException", null);
        await Kms.FailsAsync<CustomKeyStoreInvalidStateException>(
            () => KmsClient.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = store }), "CustomKeyStoreInvalidStateException", null);
        await KmsClient.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = store });
        await Kms.FailsAsync<CustomKeyStoreInvalidStateException>(
            () => KmsClient.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = store }), "CustomKeyStoreInvalidStateException", null);
        await Kms.FailsAsync<CustomKeyStoreHasCMKsException>(
            () => KmsClient.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = store }),
            "CustomKeyStoreHasCMKsException",
            "The request was rejected because the custom key store contains KMS keys. After verifying that you do not need to use the KMS keys, use the ScheduleKeyDeletion operation to delete the KMS keys. After they are deleted, you can delete the custom key store.");

        Assert.Equal(renamed, (await DescribeAsync(store)).CustomKeyStoreName);
        Assert.Equal(key.KeyId, (await KmsClient.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyId);
    }

    [Fact]
    public async Task An_empty_store_is_deleted_and_then_not_found()
    {
        var store = (await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p")))).CustomKeyStoreId;

        await KmsClient.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = store });

        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(
            () => KmsClient.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = store }),
            "CustomKeyStoreNotFoundException",
            "The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.");
    }

    [Fact]
    public async Task CreateKey_checks_the_external_key_with_the_proxy()
    {
        var store = await ConnectedStoreAsync();
        var disabled = Proxy.NewKey();
        Proxy.SetEnabled(disabled, false);
        var used = Proxy.NewKey();
        await CreateKeyAsync(store, used);

        await Kms.FailsAsync<XksKeyNotFoundException>(
            () => CreateKeyAsync(store, "no-such-key"),
            "XksKeyNotFoundException",
            "The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.");
        await Kms.FailsAsync<XksKeyInvalidConfigurationException>(
            () => CreateKeyAsync(store, disabled),
            "XksKeyInvalidConfigurationException",
            "The request was rejected because the external key specified by the XksKeyId parameter did not meet the configuration requirements for an external key store. The external key must be an AES-256 symmetric key that is enabled and performs encryption and decryption.");
        await Kms.FailsAsync<XksKeyAlreadyInUseException>(
            () => CreateKeyAsync(store, used),
            "XksKeyAlreadyInUseException",
            "The request was rejected because the (XksKeyId) is already associated with another KMS key in this external key store. Each KMS key in an external key store must be associated with a different external key.");
        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(() => CreateKeyAsync("cks-0123456789abcdef0", used), "CustomKeyStoreNotFoundException", null);
    }

    [Fact]
    public async Task GenerateDataKeyPair_with_a_key_in_an_external_key_store_fails_with_UnsupportedOperation()
    {
        var store = await ConnectedStoreAsync();
        var key = (await CreateKeyAsync(store, Proxy.NewKey())).KeyMetadata;

        await Kms.FailsAsync<UnsupportedOperationException>(
            () => KmsClient.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 }),
            "UnsupportedOperationException",
            $"{key.Arn} is in a custom key store, and KMS keys in custom key stores cannot generate asymmetric data key pairs.");
    }

    [Fact]
    public async Task A_caller_without_permission_can_neither_create_nor_connect_a_store()
    {
        var store = (await KmsClient.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p")))).CustomKeyStoreId;
        var user = await fixture.Server.CreateUserAsync(Unique("no-xks-"), Users.Allow("kms:DescribeCustomKeyStores"));
        using var kms = fixture.Server.Client(user);

        await AuthorizationTests.DeniedAsync(
            () => kms.CreateCustomKeyStoreAsync(StoreRequest(Unique("store-"), Unique("p"))),
            $"User: {user.Arn} is not authorized to perform: kms:CreateCustomKeyStore on resource: * because no identity-based policy allows the kms:CreateCustomKeyStore action");
        await AuthorizationTests.DeniedAsync(
            () => kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = store }),
            $"User: {user.Arn} is not authorized to perform: kms:ConnectCustomKeyStore on resource: * because no identity-based policy allows the kms:ConnectCustomKeyStore action");
        Assert.Equal("DISCONNECTED", (await DescribeAsync(store)).ConnectionState.Value);
    }

    [Fact]
    public async Task The_audit_event_of_a_proxied_Encrypt_names_the_store_and_the_external_key_and_no_event_holds_the_secret()
    {
        var store = await ConnectedStoreAsync();
        var xksKey = Proxy.NewKey();
        var key = (await CreateKeyAsync(store, xksKey)).KeyMetadata;
        await KmsClient.EncryptAsync(key.KeyId, [1, 2, 3]);

        var events = await CloudTrail.LookupAllAsync(fixture.Server.Endpoint, CloudTrail.Attribute("ResourceName", key.Arn));
        var encryptEvent = CloudTrail.Record(Assert.Single(events, e => e.GetProperty("EventName").GetString() == "Encrypt"));
        var proxyCall = encryptEvent.GetProperty("additionalEventData");

        Assert.Equal(
            (store, xksKey, "encrypt", 200),
            (proxyCall.GetProperty("customKeyStoreId").GetString(), proxyCall.GetProperty("xksKeyId").GetString(), proxyCall.GetProperty("xksProxyOperation").GetString(), proxyCall.GetProperty("xksProxyHttpStatus").GetInt32()));
        var all = await CloudTrail.LookupAllAsync(fixture.Server.Endpoint, CloudTrail.Attribute("EventName", "CreateCustomKeyStore"));
        Assert.NotEmpty(all);
        Assert.All(all, e => Assert.DoesNotContain(TestXksProxy.Secret, e.GetRawText(), StringComparison.Ordinal));
    }
}

/// <summary>A root key rotation re-wraps the proxies' sealed secrets too: a store still connects and its keys decrypt after one.</summary>
[Trait("Issue", "20")]
public sealed class ExternalKeyStoreRekeyTests
{
    [Fact]
    public async Task After_citadel_rekey_a_store_connects_with_its_rewrapped_secret_and_its_ciphertexts_decrypt()
    {
        await using var proxy = await TestXksProxy.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "citadel-xks-rekey-" + Guid.NewGuid().ToString("N"));
        await using var server = await CitadelServer.StartAsync(directory, configure: ExternalKeyStoreFixture.Configure(proxy));
        byte[] blob;
        string store;
        using (var kms = server.Client())
        {
            store = (await kms.CreateCustomKeyStoreAsync(ExternalKeyStoreTests.StoreRequest("rekeyed", "rekey"))).CustomKeyStoreId;
            await kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = store });
            var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL_KEY_STORE, CustomKeyStoreId = store, XksKeyId = proxy.NewKey() })).KeyMetadata;
            blob = (await kms.EncryptAsync(key.KeyId, [7, 7, 7])).CiphertextBlob.ToArray();
            await kms.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = store });
        }

        await server.StopAsync();
        var rekey = await CliProcess.RunAsync("rekey", "--data-dir", directory);
        await server.RestartAsync();
        using var after = server.Client();
        await after.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = store });

        Assert.Equal(0, rekey.ExitCode);
        Assert.Equal("CONNECTED", (await after.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = store })).CustomKeyStores[0].ConnectionState.Value);
        Assert.Equal([7, 7, 7], (await after.DecryptAsync(new MemoryStream(blob))).Plaintext.ToArray());
    }
}
