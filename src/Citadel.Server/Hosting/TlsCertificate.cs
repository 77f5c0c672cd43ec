using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>
/// The server's TLS certificate, read from PEM files (the certificate, then any intermediates, in one
/// file; the unencrypted private key in another) and read again on the first connection after either
/// file changes, so a renewed certificate (certbot, cert-manager, a Kubernetes secret) is served
/// without a restart. A replacement that does not load (the key written after the certificate, a
/// mismatched pair) is logged and the previous certificate kept; it is tried again when a file changes.
/// </summary>
internal sealed class TlsCertificate
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly Lock _reload = new();
    private ILogger? _logger;
    private volatile SslStreamCertificateContext _current;
    private (FileStamp Certificate, FileStamp Key) _loaded;

    private TlsCertificate(string certificateFile, string keyFile, TimeProvider time, SslStreamCertificateContext current, (FileStamp, FileStamp) loaded)
    {
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _time = time;
        _current = current;
        _loaded = loaded;
    }

    /// <summary>The certificate being served now.</summary>
    public X509Certificate2 Certificate => _current.TargetCertificate;

    /// <summary>
    /// Reads the files; a problem an operator can fix (a missing, unreadable, world-readable or mismatched
    /// file) is an <see cref="InvalidOperationException"/> with a one-line message.
    /// </summary>
    public static TlsCertificate Load(string certificateFile, string keyFile, TimeProvider time)
    {
        var stamps = (FileStamp.Of(certificateFile), FileStamp.Of(keyFile));
        return new TlsCertificate(certificateFile, keyFile, time, Read(certificateFile, keyFile), stamps);
    }

    /// <summary>Where reloads that fail are reported (the logger exists only once the host is built).</summary>
    public void UseLogger(ILogger logger) => _logger = logger;

    /// <summary>
    /// The certificate context for a new TLS connection: the one loaded, or the files' new content when
    /// either changed since. Two stat calls per handshake, against the handshake's own public-key work.
    /// </summary>
    public SslStreamCertificateContext ForHandshake()
    {
        var stamps = (FileStamp.Of(_certificateFile), FileStamp.Of(_keyFile));
        if (stamps == _loaded)
        {
            return _current;
        }

        lock (_reload)
        {
            if (stamps != _loaded)
            {
                // Remembered whether or not the load works, so a broken pair is tried once per change, not per connection.
                _loaded = stamps;
                try
                {
                    _current = Read(_certificateFile, _keyFile);
                    if (_logger is not null && _logger.IsEnabled(LogLevel.Information))
                    {
                        _logger.TlsCertificateLoaded(_certificateFile, _current.TargetCertificate.Subject, _current.TargetCertificate.NotAfter.ToUniversalTime());
                    }

                    WarnIfExpired();
                }
                catch (InvalidOperationException exception)
                {
                    _logger?.TlsCertificateReloadFailed(exception.Message);
                }
            }
        }

        return _current;
    }

    /// <summary>Logs a warning (at start and after a reload) when the certificate is expired or not yet valid: clients will refuse it.</summary>
    public void WarnIfExpired()
    {
        var certificate = _current.TargetCertificate;
        var now = _time.GetUtcNow();
        if (_logger is not null && (now > certificate.NotAfter.ToUniversalTime() || now < certificate.NotBefore.ToUniversalTime()))
        {
            _logger.TlsCertificateNotValidNow(_certificateFile, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
        }
    }

    private static SslStreamCertificateContext Read(string certificateFile, string keyFile)
    {
        var certificatePem = ReadText(certificateFile, "certificate");
        CheckNotWorldReadable(keyFile);
        var keyPem = ReadText(keyFile, "private key");
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(Diagnose(certificateFile, certificatePem, keyFile, keyPem), exception);
        }

        // Everything after the first certificate is the chain sent to clients (intermediates).
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(certificatePem);
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        // offline: the chain is built from what the file holds; the server never fetches anything.
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    private static string ReadText(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"the TLS {what} file {path} does not exist: give the path of a PEM file (tls.{(what == "certificate" ? "certificateFile" : "keyFile")} in the configuration file, or --tls-{(what == "certificate" ? "cert" : "key")}).", exception);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new InvalidOperationException($"cannot read the TLS {what} file {path}: {exception.Message} Make it readable by the user the server runs as.", exception);
        }
    }

    /// <summary>
    /// A private key every user of the machine can read lets any of them impersonate the server, so it is
    /// refused, as sshd and PostgreSQL refuse such keys. Group read is allowed (PostgreSQL allows 0640 for
    /// root-owned keys, and distributions share keys with an ssl-cert group).
    /// </summary>
    private static void CheckNotWorldReadable(string keyFile)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(keyFile))
        {
            return;
        }

        var mode = File.GetUnixFileMode(keyFile);
        if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException(
                $"the TLS private key file {keyFile} can be read by every user of this machine (mode {Convert.ToString((int)mode, 8)}): run `chmod o= {keyFile}` (0600, or 0640 for a group such as ssl-cert; in Kubernetes, defaultMode: 0400).");
        }
    }

    /// <summary>What is wrong with a pair that did not load, in words an operator can act on.</summary>
    private static string Diagnose(string certificateFile, string certificatePem, string keyFile, string keyPem)
    {
        if (!PemEncoding.TryFind(certificatePem, out var certificateFields) || certificatePem[certificateFields.Label] != "CERTIFICATE")
        {
            return $"the TLS certificate file {certificateFile} holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----).";
        }

        if (keyPem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return $"the TLS private key file {keyFile} is encrypted: give it unencrypted, readable only by the server's user (openssl pkey -in {keyFile} -out <new file>).";
        }

        if (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return $"the TLS private key file {keyFile} holds no PEM private key (a block starting -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY).";
        }

        return $"the private key in {keyFile} does not belong to the certificate in {certificateFile}: give the key the certificate was issued for.";
    }

    /// <summary>Enough of a file's metadata to notice that it was replaced or rewritten.</summary>
    private readonly record struct FileStamp(DateTime LastWrite, long Length)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : default;
        }
    }
}
