using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Citadel.Server.Hosting;
using Citadel.Server.Xks;
using Citadel.Storage;
using Citadel.Storage.Sqlite;
using Citadel.Tests.Tls;
using Microsoft.Extensions.DependencyInjection;
using static Citadel.EndToEnd.Tests.Xks.XksHttp;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>
/// Mutual TLS for the XKS proxy API (xks.mutualTls): a client certificate from the configured CA with the configured
/// name opens the XKS API; none is refused before SigV4; one from another CA or with another name fails the handshake
/// (the specification's MUST); the KMS API on the same port needs none.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait("Issue", "20")]
public sealed class XksMutualTlsTests : IAsyncLifetime
{
    private const string AwsKmsName = "cks.kms.us-east-1.amazonaws.com";
    private const string Health = """{"requestMetadata": {"kmsOperation": "KmsHealthCheck", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae"}}""";
    private const string HealthPath = XksFixture.DevPath + "health";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-xks-mtls-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly TestCa _serverCa = TestCa.Create("Citadel Server CA");
    private readonly TestCa _clientCa = TestCa.Create("XKS Client CA");
    private CitadelServer _server = null!;

    public async Task InitializeAsync()
    {
        var (certificate, key) = _serverCa.IssueServerCertificate(_directory);
        var clientCaFile = _clientCa.WriteCertificate(Path.Combine(_directory, "xks-clients.pem"));
        _server = await CitadelServer.StartAsync(configure: settings =>
        {
            settings.TlsCertificateFile = certificate;
            settings.TlsKeyFile = key;
            settings.XksClientCaFile = clientCaFile;
            settings.XksClientSubjectNames = [AwsKmsName];
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _serverCa.Dispose();
        _clientCa.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task An_XKS_request_with_a_client_certificate_from_the_configured_CA_and_name_is_answered()
    {
        using var certificate = _clientCa.IssueClientCertificate(AwsKmsName);
        using var client = new HttpClient(_serverCa.Handler(certificate));

        var answer = await SendAsync(_server.Endpoint, HealthPath, Health, XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey, client: client);

        Assert.Equal(200, answer.Status);
        Assert.Equal("ACTIVE", answer.Json!.Value.GetProperty("ekmFleetDetails")[0].GetProperty("healthStatus").GetString());
    }

    [Fact]
    public async Task An_XKS_request_without_a_client_certificate_is_refused_before_SigV4_with_AuthenticationFailedException()
    {
        using var client = new HttpClient(_serverCa.Handler(clientCertificate: null));

        // A credential that is no store's: the answer is about the certificate, so SigV4 was never reached.
        var answer = await SendAsync(_server.Endpoint, HealthPath, Health, "NOSUCHACCESSKEYID2345", XksSetup.DevSecretAccessKey, client: client);

        AssertError(answer, 401, "AuthenticationFailedException");
        Assert.Equal(
            "This XKS proxy requires a TLS client certificate (mutual TLS) from its configured certificate authority; the connection presented none.",
            answer.Member("errorMessage"));
        var store = _server.Services.GetRequiredService<IAuditStore>();
        JsonElement? record = null;
        await Kms.EventuallyAsync(async () => (record = await XksAttackTests.RecordInAccountAsync(store, Kms.Account, "NOSUCHACCESSKEYID2345")) is not null, "the refused call is in the trail");
        Assert.Equal("GetHealthStatus", record!.Value.GetProperty("eventName").GetString());
        Assert.Equal("AuthenticationFailedException", record.Value.GetProperty("errorCode").GetString());
        Assert.Equal("Unknown", record.Value.GetProperty("userIdentity").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_with_the_right_name_fails_the_TLS_handshake()
    {
        // The same name as the configured CA, another key: a forged issuer.
        using var otherCa = TestCa.Create("XKS Client CA");
        using var certificate = otherCa.IssueClientCertificate(AwsKmsName);
        using var client = new HttpClient(_serverCa.Handler(certificate));

        var refused = () => SendAsync(_server.Endpoint, HealthPath, Health, XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey, client: client);

        await Assert.ThrowsAsync<HttpRequestException>(refused);
    }

    [Fact]
    public async Task A_client_certificate_from_the_configured_CA_with_another_name_fails_the_TLS_handshake()
    {
        using var certificate = _clientCa.IssueClientCertificate("cks.kms.eu-west-1.amazonaws.com");
        using var client = new HttpClient(_serverCa.Handler(certificate));

        var refused = () => SendAsync(_server.Endpoint, HealthPath, Health, XksSetup.DevAccessKeyId, XksSetup.DevSecretAccessKey, client: client);

        await Assert.ThrowsAsync<HttpRequestException>(refused);
    }

    [Fact]
    public async Task The_KMS_API_on_the_same_port_serves_a_client_without_a_certificate()
    {
        using var kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = _server.Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            HttpClientFactory = new TlsTests.TrustingHttpClientFactory(_serverCa),
        });

        var key = await kms.NewKeyAsync();
        var encrypted = await kms.EncryptAsync(key.KeyId, "no client certificate"u8.ToArray());

        Assert.Equal(key.Arn, encrypted.KeyId);
    }

    [Fact]
    public async Task A_start_with_XKS_mutual_TLS_but_without_TLS_fails_in_one_line_and_creates_no_data_directory()
    {
        var dataDirectory = Path.Combine(_directory, "no-tls");
        var settings = new ServerSettings
        {
            Storage = SqliteStorageProvider.Instance,
            Development = true,
            DataDirectory = dataDirectory,
            Listen = "127.0.0.1:0",
            XksClientCaFile = _clientCa.WriteCertificate(Path.Combine(_directory, "ca.pem")),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal("xks.mutualTls needs TLS: set tls.certificateFile and tls.keyFile in the configuration file (or --tls-cert and --tls-key); client certificates are part of the TLS handshake.", error.Message);
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public async Task A_start_with_an_XKS_client_CA_file_that_does_not_exist_fails_in_one_line()
    {
        var (certificate, key) = _serverCa.IssueServerCertificate(_directory, prefix: "other");
        var missing = Path.Combine(_directory, "missing.pem");
        var settings = new ServerSettings
        {
            Storage = SqliteStorageProvider.Instance,
            Development = true,
            DataDirectory = Path.Combine(_directory, "missing-ca"),
            Listen = "127.0.0.1:0",
            TlsCertificateFile = certificate,
            TlsKeyFile = key,
            XksClientCaFile = missing,
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.Equal($"the XKS client CA file {missing} does not exist: give the PEM file of the certificate authorities client certificates must chain to (xks.mutualTls.caFile in the configuration file).", error.Message);
    }

    [Fact]
    public async Task A_configuration_file_with_xks_mutualTls_but_no_caFile_is_refused_naming_it()
    {
        var path = Path.Combine(_directory, "citadel.yaml");
        await File.WriteAllTextAsync(path, """
            xks:
              mutualTls:
                subjectNames: [cks.kms.us-east-1.amazonaws.com]
            """);

        var error = Assert.Throws<InvalidOperationException>(() => ConfigFile.Load(path, _ => null));

        Assert.Equal(
            $"The configuration file {path} has 1 problem(s):\n  xks.mutualTls needs caFile: the PEM file of the certificate authorities XKS client certificates must chain to (for AWS KMS, the Amazon Trust Services roots)",
            error.Message);
    }

    [Fact]
    public void A_configuration_file_with_xks_mutualTls_gives_its_CA_file_and_names()
    {
        var path = Path.Combine(_directory, "citadel-mtls.yaml");
        File.WriteAllText(path, """
            xks:
              mutualTls:
                caFile: amazon-trust-services.pem
                subjectNames: [cks.kms.us-east-1.amazonaws.com, cks.kms.eu-west-1.amazonaws.com]
            """);

        var config = ConfigFile.Load(path, _ => null);

        Assert.Equal(Path.Combine(_directory, "amazon-trust-services.pem"), config.XksClientCaFile);
        Assert.Equal(["cks.kms.us-east-1.amazonaws.com", "cks.kms.eu-west-1.amazonaws.com"], config.XksClientSubjectNames);
    }
}
