using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Citadel.Server.Xks;

/// <summary>
/// Mutual TLS for the XKS proxy API (configuration <c>xks.mutualTls</c>): the certificate authorities a client
/// certificate must chain to and, optionally, the names it must carry. The specification (Authentication) says a proxy
/// SHOULD support mTLS, MUST let the customer configure both the subject name and the root CA, and MUST terminate the
/// TLS handshake when a client presents a certificate with another name or from another CA; AWS KMS presents
/// <c>CN=cks.kms.&lt;Region&gt;.amazonaws.com</c> chained to Amazon Trust Services. The listener asks every client for
/// a certificate but lets one without a certificate through (the KMS API on the same port needs none); the XKS
/// endpoint then refuses a request whose connection presented none, before SigV4.
/// </summary>
internal sealed class XksClientCertificates
{
    /// <summary>id-kp-clientAuth: a certificate that limits its extended key usage must allow TLS client authentication.</summary>
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection _authorities;
    private readonly string[] _subjectNames;
    private readonly TimeProvider _time;

    private XksClientCertificates(X509Certificate2Collection authorities, string[] subjectNames, TimeProvider time)
    {
        _authorities = authorities;
        _subjectNames = subjectNames;
        _time = time;
    }

    /// <summary>Names the certificate must carry (its subject's common name or a DNS subject alternative name); empty for any.</summary>
    public IReadOnlyList<string> SubjectNames => _subjectNames;

    /// <summary>
    /// Reads the CA file (PEM, one or more certificates); a problem an operator can fix is an
    /// <see cref="InvalidOperationException"/> with a one-line message.
    /// </summary>
    public static XksClientCertificates Load(string caFile, IReadOnlyList<string> subjectNames, TimeProvider time)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(caFile);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"the XKS client CA file {caFile} does not exist: give the PEM file of the certificate authorities client certificates must chain to (xks.mutualTls.caFile in the configuration file).", exception);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException($"cannot read the XKS client CA file {caFile}: {exception.Message} Make it readable by the user the server runs as.", exception);
        }

        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPem(pem);
        }
        catch (CryptographicException exception)
        {
            throw new InvalidOperationException($"the XKS client CA file {caFile} holds a certificate that does not parse: give PEM certificates (blocks starting -----BEGIN CERTIFICATE-----).", exception);
        }

        if (authorities.Count == 0)
        {
            throw new InvalidOperationException($"the XKS client CA file {caFile} holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----).");
        }

        if (subjectNames.FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
        {
            throw new InvalidOperationException("xks.mutualTls.subjectNames has an empty name: give names such as cks.kms.us-east-1.amazonaws.com, or leave the list out to accept any name the CA issued.");
        }

        return new XksClientCertificates(authorities, [.. subjectNames], time);
    }

    /// <summary>
    /// Whether a client certificate presented in a TLS handshake is acceptable: it chains to one of the configured
    /// authorities (and to nothing else: the system's roots are not trusted here), is valid now, allows client
    /// authentication if it limits its usage, and carries one of the configured names if there are any.
    /// <paramref name="sent"/> is what the client sent besides its certificate (intermediates).
    /// </summary>
    public bool IsAcceptable(X509Certificate certificate, X509Chain? sent)
    {
        // SslStream hands over its own certificate object; one made here is disposed here.
        using var made = certificate as X509Certificate2 is null ? new X509Certificate2(certificate) : null;
        var leaf = made ?? (X509Certificate2)certificate;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (sent is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }

        return chain.Build(leaf) && HasName(leaf);
    }

    private bool HasName(X509Certificate2 certificate)
    {
        if (_subjectNames.Length == 0)
        {
            return true;
        }

        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        foreach (var name in _subjectNames)
        {
            if (string.Equals(commonName, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension alternativeNames)
            {
                foreach (var dnsName in alternativeNames.EnumerateDnsNames())
                {
                    if (_subjectNames.Contains(dnsName, StringComparer.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
