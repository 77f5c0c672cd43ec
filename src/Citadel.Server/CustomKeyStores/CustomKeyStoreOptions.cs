namespace Citadel.Server.CustomKeyStores;

/// <summary>How the server talks to the XKS proxies of its external key stores (section <c>CustomKeyStores</c>).</summary>
public sealed class CustomKeyStoreOptions
{
    /// <summary>
    /// How long one call to a proxy may take, connection and TLS included. Defaults to 250 milliseconds, the time AWS KMS
    /// allows (XKS proxy API specification, "KMS Considerations"); a slower proxy fails the request as AWS's would.
    /// </summary>
    public TimeSpan ProxyTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The TCP port of every proxy. Defaults to 443: XksProxyUriEndpoint carries no port, and AWS KMS always uses 443.
    /// Change it only to reach proxies that listen elsewhere (a test proxy on loopback).
    /// </summary>
    public int ProxyPort { get; set; } = 443;

    /// <summary>
    /// A PEM file of certificate authorities trusted for proxy certificates instead of the system's (a private CA). Unset by
    /// default: proxies are verified against the system's trusted roots. The host name is checked either way.
    /// </summary>
    public string? TrustedCertificateAuthoritiesFile { get; set; }

    /// <summary>
    /// A PEM file of the client certificate (then any intermediates) presented to proxies that ask for one (mutual TLS,
    /// e.g. a second Citadel with <c>xks.mutualTls</c>); with <see cref="ClientKeyFile"/>. Unset by default: no certificate
    /// is presented, as AWS KMS presents none of the customer's.
    /// </summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>The PEM file of <see cref="ClientCertificateFile"/>'s private key, unencrypted.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Custom key stores an account may have in a Region. Defaults to 10, AWS's quota (which AWS can raise on request).</summary>
    public int MaxStoresPerRegion { get; set; } = 10;
}
