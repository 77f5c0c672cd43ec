using System.Security.Cryptography;
using Citadel.Server.Hosting;
using Citadel.Tests.Tls;

namespace Citadel.Server.Tests.Hosting;

/// <summary>Loading the TLS certificate files: the one-line errors an operator sees, and reloads after a change.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
[Trait("Issue", "22")]
public sealed class TlsCertificateTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-tls-" + Guid.NewGuid().ToString("N"));
    private readonly TestCa _ca = TestCa.Create();

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_certificate_and_its_key_load_as_the_certificate_served()
    {
        var (certificate, key) = _ca.IssueServerCertificate(_directory);

        var tls = TlsCertificate.Load(certificate, key, TimeProvider.System);

        Assert.Equal("CN=localhost", tls.Certificate.Subject);
        Assert.True(tls.Certificate.HasPrivateKey);
    }

    [Fact]
    public void A_missing_certificate_file_is_one_line_naming_it()
    {
        var (_, key) = _ca.IssueServerCertificate(_directory);
        var missing = Path.Combine(_directory, "missing.crt");

        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificate.Load(missing, key, TimeProvider.System));

        Assert.Equal($"the TLS certificate file {missing} does not exist: give the path of a PEM file (tls.certificateFile in the configuration file, or --tls-cert).", error.Message);
    }

    [Fact]
    public void A_missing_key_file_is_one_line_naming_it()
    {
        var (certificate, _) = _ca.IssueServerCertificate(_directory);
        var missing = Path.Combine(_directory, "missing.key");

        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificate.Load(certificate, missing, TimeProvider.System));

        Assert.Equal($"the TLS private key file {missing} does not exist: give the path of a PEM file (tls.keyFile in the configuration file, or --tls-key).", error.Message);
    }

    [Fact]
    public void A_key_file_every_user_can_read_is_refused()
    {
        var (certificate, key) = _ca.IssueServerCertificate(_directory);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificate.Load(certificate, key, TimeProvider.System));

        Assert.Equal($"the TLS private key file {key} can be read by every user of this machine (mode 644): run `chmod o= {key}` (0600, or 0640 for a group such as ssl-cert; in Kubernetes, defaultMode: 0400).", error.Message);
    }

    [Fact]
    public void A_key_file_its_group_can_read_is_accepted()
    {
        var (certificate, key) = _ca.IssueServerCertificate(_directory);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var tls = TlsCertificate.Load(certificate, key, TimeProvider.System);

        Assert.True(tls.Certificate.HasPrivateKey);
    }

    [Fact]
    public void The_key_of_another_certificate_is_refused_as_not_belonging_to_it()
    {
        var (certificate, _) = _ca.IssueServerCertificate(_directory, "first");
        var (_, otherKey) = _ca.IssueServerCertificate(_directory, "second");

        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificate.Load(certificate, otherKey, TimeProvider.System));

        Assert.Equal($"the private key in {otherKey} does not belong to the certificate in {certificate}: give the key the certificate was issued for.", error.Message);
    }

    [Fact]
    public void A_certificate_file_without_a_certificate_is_refused()
    {
        var (_, key) = _ca.IssueServerCertificate(_directory);
        var notCertificate = Path.Combine(_directory, "not.crt");
        File.WriteAllText(notCertificate, File.ReadAllText(key));

        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificate.Load(notCertificate, key, TimeProvider.System));

        Assert.Equal($"the TLS certificate file {notCertificate} holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----).", error.Message);
    }

    [Fact]
    public void An_encrypted_key_is_refused_with_how_to_decrypt_it()
    {
        var (certificate, key) = _ca.IssueServerCertificate(_directory);
        using (var ecdsa = ECDsa.Create())
        {
            ecdsa.ImportFromPem(File.ReadAllText(key));
            TestCa.WritePrivate(key, ecdsa.ExportEncryptedPkcs8PrivateKeyPem("pass", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        }

        var error = Assert.Throws<InvalidOperationException>(() => TlsCertificate.Load(certificate, key, TimeProvider.System));

        Assert.Equal($"the TLS private key file {key} is encrypted: give it unencrypted, readable only by the server's user (openssl pkey -in {key} -out <new file>).", error.Message);
    }

    [Fact]
    public void A_replaced_pair_is_served_on_the_next_handshake()
    {
        var (certificate, key) = _ca.IssueServerCertificate(_directory);
        var tls = TlsCertificate.Load(certificate, key, TimeProvider.System);
        var first = tls.ForHandshake().TargetCertificate.SerialNumber;

        _ca.IssueServerCertificate(_directory, commonName: "renewed");

        var served = tls.ForHandshake().TargetCertificate;
        Assert.NotEqual(first, served.SerialNumber);
        Assert.Equal("CN=renewed", served.Subject);
    }

    [Fact]
    public void A_replacement_that_does_not_load_keeps_the_previous_certificate()
    {
        var (certificate, key) = _ca.IssueServerCertificate(_directory);
        var tls = TlsCertificate.Load(certificate, key, TimeProvider.System);
        var first = tls.ForHandshake().TargetCertificate.SerialNumber;

        // A new certificate written before its key: the pair does not match yet.
        var (renewed, _) = _ca.IssueServerCertificate(Path.Combine(_directory, "next"), commonName: "renewed");
        File.Copy(renewed, certificate, overwrite: true);

        Assert.Equal(first, tls.ForHandshake().TargetCertificate.SerialNumber);
    }
}
