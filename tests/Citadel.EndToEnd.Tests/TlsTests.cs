using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Citadel.Server.Hosting;
using Citadel.Storage.Sqlite;
using Citadel.Tests.Tls;
using static Citadel.EndToEnd.Tests.Policies;

namespace Citadel.EndToEnd.Tests;

/// <summary>HTTPS with certificate files: the AWS SDK trusting a test CA, certificate reloads, and aws:SecureTransport.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait("Issue", "22")]
public sealed class TlsTests : IDisposable
{
    private const string DenyPlainHttp = """{"Bool": {"aws:SecureTransport": "false"}}""";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-tls-e2e-" + Guid.NewGuid().ToString("N"));
    private readonly TestCa _ca = TestCa.Create();

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task The_AWS_SDK_trusting_a_test_CA_encrypts_and_decrypts_over_HTTPS()
    {
        await using var server = await CitadelServer.StartAsync(configure: Tls(_ca.IssueServerCertificate(_directory)));
        using var kms = TrustingClient(server);

        var key = await kms.NewKeyAsync();
        var encrypted = await kms.EncryptAsync(key.KeyId, "over TLS"u8.ToArray());
        var decrypted = await kms.DecryptAsync(encrypted.CiphertextBlob);

        Assert.StartsWith("https://127.0.0.1:", server.Endpoint, StringComparison.Ordinal);
        Assert.Equal("over TLS"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_CA_is_refused_the_connection()
    {
        await using var server = await CitadelServer.StartAsync(configure: Tls(_ca.IssueServerCertificate(_directory)));
        using var otherCa = TestCa.Create("Another CA");
        using var kms = TrustingClient(server, otherCa);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => kms.ListKeysAsync(new ListKeysRequest()));

        Assert.Contains(Chain(error), e => e is AuthenticationException);
    }

    [Fact]
    public async Task A_replaced_certificate_file_is_served_on_the_next_connection()
    {
        var files = _ca.IssueServerCertificate(_directory);
        await using var server = await CitadelServer.StartAsync(configure: Tls(files));
        var first = await ServedCertificateAsync(server);

        _ca.IssueServerCertificate(_directory, commonName: "renewed");
        var second = await ServedCertificateAsync(server);

        Assert.Equal("CN=localhost", first.Subject);
        Assert.Equal("CN=renewed", second.Subject);
        Assert.NotEqual(first.SerialNumber, second.SerialNumber);
    }

    [Fact]
    public async Task A_key_policy_denying_requests_without_SecureTransport_refuses_plain_HTTP_and_allows_HTTPS()
    {
        var files = _ca.IssueServerCertificate(_directory);
        await using var server = await CitadelServer.StartAsync();
        using var plain = server.Client();
        var key = (await plain.CreateKeyAsync(new CreateKeyRequest { Policy = Document(RootStatement(), For("*", "Deny", "kms:Encrypt", DenyPlainHttp)) })).KeyMetadata;

        var overHttp = () => plain.EncryptAsync(key.KeyId, "x"u8.ToArray());

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            overHttp, "AccessDeniedException", $"User: arn:aws:iam::111122223333:root is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in a resource-based policy");
        server.Configure = Tls(files);
        await server.RestartAsync();
        using var secure = TrustingClient(server);
        var overHttps = await secure.EncryptAsync(key.KeyId, "x"u8.ToArray());
        Assert.Equal(key.Arn, overHttps.KeyId);
    }

    [Fact]
    public async Task A_start_with_a_key_file_every_user_can_read_fails_in_one_line_and_creates_no_data_directory()
    {
        var (certificate, key) = _ca.IssueServerCertificate(_directory);
        File.SetUnixFileMode(key, (UnixFileMode)0b110_100_100);
        var dataDirectory = Path.Combine(_directory, "data");
        var settings = new ServerSettings { Storage = SqliteStorageProvider.Instance, Development = true, DataDirectory = dataDirectory, Listen = "127.0.0.1:0", TlsCertificateFile = certificate, TlsKeyFile = key };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CitadelHost.BuildAsync(settings));

        Assert.StartsWith($"the TLS private key file {key} can be read by every user of this machine (mode 644)", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public async Task The_command_line_says_in_one_line_that_a_certificate_needs_its_key_and_exits_with_2()
    {
        var (certificate, _) = _ca.IssueServerCertificate(_directory);
        var dataDirectory = Path.Combine(_directory, "data");

        var result = await CliProcess.RunAsync("serve", "--dev", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0", "--tls-cert", certificate);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "citadel serve: TLS needs both a certificate file and its private key file: tls.certificateFile and tls.keyFile in the configuration file (or --tls-cert and --tls-key).",
            Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(dataDirectory));
    }

    private static Action<ServerSettings> Tls((string CertificateFile, string KeyFile) files) => settings =>
    {
        settings.TlsCertificateFile = files.CertificateFile;
        settings.TlsKeyFile = files.KeyFile;
    };

    private AmazonKeyManagementServiceClient TrustingClient(CitadelServer server, TestCa? ca = null) =>
        new(new BasicAWSCredentials("test", "test"), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = server.Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
            HttpClientFactory = new TrustingHttpClientFactory(ca ?? _ca),
        });

    /// <summary>The certificate the server presents to a new TLS connection.</summary>
    private async Task<System.Security.Cryptography.X509Certificates.X509Certificate2> ServedCertificateAsync(CitadelServer server)
    {
        var uri = new Uri(server.Endpoint);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, _ca.Validate);
        await tls.AuthenticateAsClientAsync("localhost");
        return new System.Security.Cryptography.X509Certificates.X509Certificate2(tls.RemoteCertificate!);
    }

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }

    /// <summary>The SDK's HTTP clients, trusting the test CA only.</summary>
    internal sealed class TrustingHttpClientFactory(TestCa ca) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(ca.Handler());
    }
}
