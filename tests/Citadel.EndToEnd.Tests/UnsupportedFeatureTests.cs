using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Custom key stores in an account that has none (and CloudHSM key stores, which the server cannot have), and multi-Region
/// operations on single-Region keys, answer as AWS KMS answers: an empty list, CustomKeyStoreNotFoundException,
/// CloudHsmClusterNotFoundException, XksProxyUriUnreachableException for a proxy that refuses connections,
/// UnsupportedOperationException for a single-Region key (ExternalKeyStoreTests has external key stores that exist). Each is authenticated, authorized, validated and audited like every other operation; the SDK maps every answer.
/// </summary>
[Collection("server")]
[Trait("Issue", "16")]
public sealed class UnsupportedFeatureTests(ServerFixture fixture)
{
    private const string StoreId = "cks-1234567890abcdef0";
    private const string StoreNotFound = "The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.";

    private CitadelServer Server => fixture.Server;

    private AmazonKeyManagementServiceClient KmsClient => fixture.Kms;

    [Fact]
    public async Task DescribeCustomKeyStores_lists_none()
    {
        var stores = await KmsClient.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest());

        Assert.Empty(stores.CustomKeyStores ?? []);
        Assert.False(stores.Truncated);
        Assert.Null(stores.NextMarker);
    }

    [Fact]
    public async Task DescribeCustomKeyStores_of_a_named_store_fails_with_CustomKeyStoreNotFound()
    {
        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(
            () => KmsClient.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = StoreId }), "CustomKeyStoreNotFoundException", StoreNotFound);
        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(
            () => KmsClient.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreName = "hsm" }), "CustomKeyStoreNotFoundException", StoreNotFound);
    }

    [Fact]
    public async Task DescribeCustomKeyStores_with_a_marker_fails_with_InvalidMarker() =>
        await Kms.FailsAsync<InvalidMarkerException>(
            () => KmsClient.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { Marker = "bm90LWEtbWFya2Vy" }),
            "InvalidMarkerException",
            "The request was rejected because the marker that specifies where pagination should next begin is not valid.");

    [Fact]
    public async Task Connect_disconnect_update_and_delete_of_a_store_fail_with_CustomKeyStoreNotFound()
    {
        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(
            () => KmsClient.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = StoreId }), "CustomKeyStoreNotFoundException", StoreNotFound);
        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(
            () => KmsClient.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = StoreId }), "CustomKeyStoreNotFoundException", StoreNotFound);
        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(
            () => KmsClient.UpdateCustomKeyStoreAsync(new UpdateCustomKeyStoreRequest { CustomKeyStoreId = StoreId, NewCustomKeyStoreName = "renamed" }), "CustomKeyStoreNotFoundException", StoreNotFound);
        await Kms.FailsAsync<CustomKeyStoreNotFoundException>(
            () => KmsClient.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = StoreId }), "CustomKeyStoreNotFoundException", StoreNotFound);
    }

    [Fact]
    public async Task CreateCustomKeyStore_fails_as_for_a_cluster_that_does_not_exist_or_a_proxy_that_refuses_connections()
    {
        await Kms.FailsAsync<CloudHsmClusterNotFoundException>(
            () => KmsClient.CreateCustomKeyStoreAsync(new CreateCustomKeyStoreRequest
            {
                CustomKeyStoreName = "hsm",
                CloudHsmClusterId = "cluster-234567abcdef",
                TrustAnchorCertificate = "-----BEGIN CERTIFICATE-----",
                KeyStorePassword = "kmsuser-password",
            }),
            "CloudHsmClusterNotFoundException",
            "The request was rejected because KMS cannot find the CloudHSM cluster with the specified cluster ID. Retry the request with a different cluster ID.");

        // Its own server, whose proxy port refuses connections and whose proxy timeout a busy machine cannot reach, so the
        // failure is always the refused connection.
        var closedPort = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closedPort.Start();
        var port = ((System.Net.IPEndPoint)closedPort.LocalEndpoint).Port;
        closedPort.Stop();
        await using var server = await CitadelServer.StartAsync(configure: settings =>
        {
            settings.Options["CustomKeyStores:ProxyPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings.Options["CustomKeyStores:ProxyTimeout"] = "00:00:30";
        });
        using var kms = server.Client();
        await Kms.FailsAsync<XksProxyUriUnreachableException>(
            () => kms.CreateCustomKeyStoreAsync(new CreateCustomKeyStoreRequest
            {
                CustomKeyStoreName = "xks",
                CustomKeyStoreType = CustomKeyStoreType.EXTERNAL_KEY_STORE,
                XksProxyConnectivity = XksProxyConnectivityType.PUBLIC_ENDPOINT,
                XksProxyUriEndpoint = "https://localhost",
                XksProxyUriPath = "/kms/xks/v1",
                XksProxyAuthenticationCredential = new XksProxyAuthenticationCredentialType { AccessKeyId = "ABCDEFGHIJKLMNOPQRST", RawSecretAccessKey = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" },
            }),
            "XksProxyUriUnreachableException",
            "AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore.");
    }

    [Fact]
    public async Task CreateCustomKeyStore_without_a_name_fails_with_Validation() =>
        await Kms.FailsValidationAsync(
            () => KmsClient.CreateCustomKeyStoreAsync(new CreateCustomKeyStoreRequest { CloudHsmClusterId = "cluster-234567abcdef" }),
            "1 validation error detected: Value null at 'customKeyStoreName' failed to satisfy constraint: Member must not be null");

    [Fact]
    public async Task ReplicateKey_and_UpdatePrimaryRegion_of_a_single_Region_key_fail_with_UnsupportedOperation()
    {
        var key = await KmsClient.NewKeyAsync();

        await Kms.FailsAsync<UnsupportedOperationException>(
            () => KmsClient.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = key.KeyId, ReplicaRegion = "us-west-2" }),
            "UnsupportedOperationException",
            $"{key.Arn} is not a multi-Region key.");
        await Kms.FailsAsync<UnsupportedOperationException>(
            () => KmsClient.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = key.Arn, PrimaryRegion = "us-west-2" }),
            "UnsupportedOperationException",
            $"{key.Arn} is not a multi-Region key.");
    }

    [Fact]
    public async Task ReplicateKey_of_a_missing_key_fails_with_NotFound_and_of_a_bad_region_with_Validation()
    {
        var missing = Kms.KeyArn(Guid.NewGuid().ToString());

        await Kms.FailsAsync<NotFoundException>(() => KmsClient.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = missing, ReplicaRegion = "us-west-2" }), "NotFoundException", null);

        // The SDK checks the pattern itself; a raw request shows the server does too.
        var (status, text, response) = await SignedHttp.SendAsync(Server.Endpoint, "TrentService.ReplicateKey", $$"""{"KeyId":"{{missing}}","ReplicaRegion":"Mars"}""");
        response.Dispose();
        Assert.Equal(400, status);
        using var json = System.Text.Json.JsonDocument.Parse(text);
        Assert.Equal("ValidationException", json.RootElement.GetProperty("__type").GetString());
        Assert.Equal(
            "1 validation error detected: Value 'Mars' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$",
            json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_caller_without_permission_is_denied_before_anything_else()
    {
        var user = await Server.CreateUserAsync("no-stores-" + Guid.NewGuid().ToString("N")[..8], Users.Allow("kms:DescribeKey"));
        using var kms = Server.Client(user);
        var key = await KmsClient.NewKeyAsync();

        await AuthorizationTests.DeniedAsync(
            () => kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest()),
            $"User: {user.Arn} is not authorized to perform: kms:DescribeCustomKeyStores on resource: * because no identity-based policy allows the kms:DescribeCustomKeyStores action");
        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = StoreId }))
            .ContinueWith(t => Assert.Equal("AccessDeniedException", t.Result.ErrorCode), TaskScheduler.Default);
        await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = key.KeyId, ReplicaRegion = "us-west-2" }))
            .ContinueWith(t => Assert.Equal("AccessDeniedException", t.Result.ErrorCode), TaskScheduler.Default);
    }

    [Fact]
    public async Task Each_call_is_recorded_in_the_audit_trail()
    {
        var key = await KmsClient.NewKeyAsync();
        var described = await KmsClient.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest());
        var replicate = await Assert.ThrowsAsync<UnsupportedOperationException>(() => KmsClient.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = key.KeyId, ReplicaRegion = "us-west-2" }));

        foreach (var (name, requestId) in new[] { ("DescribeCustomKeyStores", described.ResponseMetadata.RequestId), ("ReplicateKey", replicate.RequestId) })
        {
            await Kms.EventuallyAsync(
                async () =>
                {
                    var events = await CloudTrail.LookupAllAsync(Server.Endpoint, CloudTrail.Attribute("EventName", name));
                    return events.Any(e => CloudTrail.RequestId(CloudTrail.Record(e)) == requestId);
                },
                $"the {name} call is in the trail");
        }
    }
}
