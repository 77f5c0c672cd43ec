using System.Security.Cryptography.X509Certificates;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Citadel.Server.Xks;
using Citadel.Tests.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>
/// One Citadel uses a second Citadel as its external key store (issue 20): the second serves the XKS proxy API over TLS with
/// its development store, the first creates a custom key store pointing at it, connects, creates a key bound to one of the
/// second's keys, encrypts and decrypts; the second disables that key and the first's Decrypt is refused with AWS's error;
/// then disconnect and delete.
/// </summary>
[Trait("Issue", "20")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CitadelAsExternalKeyStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-xks-pair-" + Guid.NewGuid().ToString("N"));
    private readonly TestCa _ca = TestCa.Create("Second Citadel CA");

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_Citadel_keeps_the_outer_key_of_its_key_in_a_second_Citadel_which_can_refuse()
    {
        var files = _ca.IssueServerCertificate(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "ca.pem"), _ca.Certificate.ExportCertificatePem());
        await using var second = await CitadelServer.StartAsync(configure: settings =>
        {
            settings.TlsCertificateFile = files.CertificateFile;
            settings.TlsKeyFile = files.KeyFile;
        });
        using var secondKms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = second.Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            HttpClientFactory = new TlsTests.TrustingHttpClientFactory(_ca),
        });
        var outerKey = (await secondKms.CreateKeyAsync(new CreateKeyRequest { Description = "outer key" })).KeyMetadata;
        var directory = second.Services.GetRequiredService<XksDirectory>();
        XksFixture.Ok(await directory.Admin.AllowKeyAsync(XksSetup.DevStoreName, outerKey.KeyId, "outer-1", XksKeyUsage.EncryptDecrypt, default));
        directory.Clear();
        await using var first = await CitadelServer.StartAsync(configure: settings =>
        {
            settings.Options["CustomKeyStores:ProxyPort"] = new Uri(second.Endpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings.Options["CustomKeyStores:TrustedCertificateAuthoritiesFile"] = Path.Combine(_directory, "ca.pem");
            settings.Options["CustomKeyStores:ProxyTimeout"] = "00:00:05";
        });
        using var kms = first.Client();

        var store = (await kms.CreateCustomKeyStoreAsync(SecondCitadelStore())).CustomKeyStoreId;
        await kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = store });
        var connected = (await kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = store })).CustomKeyStores[0];
        var key = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL_KEY_STORE, CustomKeyStoreId = store, XksKeyId = "outer-1" })).KeyMetadata;
        var context = new Dictionary<string, string> { ["tenant"] = "a" };
        var encrypted = await kms.EncryptAsync(key.KeyId, "held by two"u8.ToArray(), context);
        var decrypted = await kms.DecryptAsync(encrypted.CiphertextBlob, context);

        Assert.Equal("CONNECTED", connected.ConnectionState.Value);
        Assert.Equal(("EXTERNAL_KEY_STORE", store, "outer-1"), (key.Origin.Value, key.CustomKeyStoreId, key.XksKeyConfiguration.Id));
        Assert.Equal("held by two"u8.ToArray(), decrypted.Plaintext.ToArray());

        await secondKms.DisableKeyAsync(new DisableKeyRequest { KeyId = outerKey.KeyId });
        directory.Clear();

        await Kms.FailsAsync<KMSInvalidStateException>(
            () => kms.DecryptAsync(encrypted.CiphertextBlob, context),
            "KMSInvalidStateException",
            "The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.");

        await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
        await kms.DisconnectCustomKeyStoreAsync(new DisconnectCustomKeyStoreRequest { CustomKeyStoreId = store });
        await Kms.FailsAsync<CustomKeyStoreHasCMKsException>(() => kms.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = store }), "CustomKeyStoreHasCMKsException", null);
        var deleted = await DevClockCalls.AdvanceAsync(first.Endpoint, "8d", "deletedKeys");
        await kms.DeleteCustomKeyStoreAsync(new DeleteCustomKeyStoreRequest { CustomKeyStoreId = store });

        Assert.Equal(1, deleted);
        Assert.Empty((await kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest())).CustomKeyStores);
    }

    [Fact]
    public async Task A_Citadel_presents_its_client_certificate_to_a_second_Citadel_that_requires_mutual_TLS_and_without_it_is_refused()
    {
        using var clientCa = TestCa.Create("XKS Client CA");
        var files = _ca.IssueServerCertificate(_directory);
        var serverCaFile = _ca.WriteCertificate(Path.Combine(_directory, "ca.pem"));
        var clientCaFile = clientCa.WriteCertificate(Path.Combine(_directory, "client-ca.pem"));
        using var clientCertificate = clientCa.IssueClientCertificate("first-citadel");
        var clientCertificateFile = Path.Combine(_directory, "client.crt");
        var clientKeyFile = Path.Combine(_directory, "client.key");
        await File.WriteAllTextAsync(clientCertificateFile, clientCertificate.ExportCertificatePem());
        using (var key = clientCertificate.GetECDsaPrivateKey()!)
        {
            TestCa.WritePrivate(clientKeyFile, key.ExportPkcs8PrivateKeyPem());
        }

        await using var second = await CitadelServer.StartAsync(configure: settings =>
        {
            settings.TlsCertificateFile = files.CertificateFile;
            settings.TlsKeyFile = files.KeyFile;
            settings.XksClientCaFile = clientCaFile;
            settings.XksClientSubjectNames = ["first-citadel"];
        });
        var port = new Uri(second.Endpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var withCertificate = await CitadelServer.StartAsync(configure: settings =>
        {
            settings.Options["CustomKeyStores:ProxyPort"] = port;
            settings.Options["CustomKeyStores:TrustedCertificateAuthoritiesFile"] = serverCaFile;
            settings.Options["CustomKeyStores:ProxyTimeout"] = "00:00:05";
            settings.Options["CustomKeyStores:ClientCertificateFile"] = clientCertificateFile;
            settings.Options["CustomKeyStores:ClientKeyFile"] = clientKeyFile;
        });
        await using var withoutCertificate = await CitadelServer.StartAsync(configure: settings =>
        {
            settings.Options["CustomKeyStores:ProxyPort"] = port;
            settings.Options["CustomKeyStores:TrustedCertificateAuthoritiesFile"] = serverCaFile;
            settings.Options["CustomKeyStores:ProxyTimeout"] = "00:00:05";
        });
        using var kms = withCertificate.Client();
        using var refusedKms = withoutCertificate.Client();

        var store = (await kms.CreateCustomKeyStoreAsync(SecondCitadelStore())).CustomKeyStoreId;
        await kms.ConnectCustomKeyStoreAsync(new ConnectCustomKeyStoreRequest { CustomKeyStoreId = store });
        var connected = (await kms.DescribeCustomKeyStoresAsync(new DescribeCustomKeyStoresRequest { CustomKeyStoreId = store })).CustomKeyStores[0];

        Assert.Equal("CONNECTED", connected.ConnectionState.Value);
        await Kms.FailsAsync<XksProxyIncorrectAuthenticationCredentialException>(
            () => refusedKms.CreateCustomKeyStoreAsync(SecondCitadelStore()),
            "XksProxyIncorrectAuthenticationCredentialException",
            null);
    }

    private static CreateCustomKeyStoreRequest SecondCitadelStore() => new()
    {
        CustomKeyStoreName = "second-citadel",
        CustomKeyStoreType = CustomKeyStoreType.EXTERNAL_KEY_STORE,
        XksProxyConnectivity = XksProxyConnectivityType.PUBLIC_ENDPOINT,
        XksProxyUriEndpoint = "https://localhost",
        XksProxyUriPath = XksSetup.DevUriPrefix + "/kms/xks/v1",
        XksProxyAuthenticationCredential = new XksProxyAuthenticationCredentialType { AccessKeyId = XksSetup.DevAccessKeyId, RawSecretAccessKey = XksSetup.DevSecretAccessKey },
    };
}
