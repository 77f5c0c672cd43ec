using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Citadel.Tests.Tls;

/// <summary>
/// A certificate authority made for one test (System.Security.Cryptography.X509Certificates.CertificateRequest),
/// the server certificates it issues as PEM files, and HTTP handlers that trust it and nothing else.
/// </summary>
public sealed class TestCa : IDisposable
{
    private readonly ECDsa _key;

    private TestCa(ECDsa key, X509Certificate2 certificate)
    {
        _key = key;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    public static TestCa Create(string name = "Citadel Test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        return new TestCa(key, request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));
    }

    /// <summary>
    /// Issues a certificate for localhost and 127.0.0.1 and writes it and its key (0600) as
    /// <paramref name="prefix"/>.crt and .key in <paramref name="directory"/>; returns both paths.
    /// </summary>
    public (string CertificateFile, string KeyFile) IssueServerCertificate(string directory, string prefix = "server", string commonName = "localhost")
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = Issue(key, commonName);
        var certificateFile = Path.Combine(directory, prefix + ".crt");
        var keyFile = Path.Combine(directory, prefix + ".key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        WritePrivate(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    /// <summary>A certificate for localhost signed by this CA, with the given key's public half.</summary>
    public X509Certificate2 Issue(ECDsa key, string commonName = "localhost")
    {
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.Create(Certificate, now.AddMinutes(-5), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>A TLS client certificate (extended key usage clientAuth) with its private key, signed by this CA.</summary>
    public X509Certificate2 IssueClientCertificate(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(Certificate, now.AddMinutes(-5), now.AddHours(12), RandomNumberGenerator.GetBytes(16));
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Writes this CA's certificate as PEM to <paramref name="path"/> (what a server is told to trust).</summary>
    public string WriteCertificate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>An HTTP handler that trusts this CA only and presents <paramref name="clientCertificate"/> when the server asks for one.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? clientCertificate) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = Validate,
            LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
        },
    };

    /// <summary>Writes <paramref name="text"/> readable by its owner only, as a private key must be.</summary>
    public static void WritePrivate(string path, string text)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>An HTTP handler that accepts a server certificate only if it chains to this CA and names the host.</summary>
    public SocketsHttpHandler Handler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
    };

    /// <summary>Whether <paramref name="certificate"/> chains to this CA (and only to it) and was sent for the name asked.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Certificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
