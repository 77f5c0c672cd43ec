namespace Citadel.Server.Protocol.Requests;

/// <summary>
/// The request of CreateCustomKeyStore and UpdateCustomKeyStore (members named as in the KMS model). KeyStorePassword and
/// XksProxyAuthenticationCredential are secrets: never echoed in errors, never audited.
/// </summary>
internal sealed class CustomKeyStoreSettingsRequest
{
    public string? CustomKeyStoreId { get; set; }

    public string? CustomKeyStoreName { get; set; }

    public string? NewCustomKeyStoreName { get; set; }

    public string? CloudHsmClusterId { get; set; }

    public string? TrustAnchorCertificate { get; set; }

    public string? KeyStorePassword { get; set; }

    public string? CustomKeyStoreType { get; set; }

    public string? XksProxyUriEndpoint { get; set; }

    public string? XksProxyUriPath { get; set; }

    public string? XksProxyVpcEndpointServiceName { get; set; }

    public string? XksProxyVpcEndpointServiceOwner { get; set; }

    public XksProxyCredential? XksProxyAuthenticationCredential { get; set; }

    public string? XksProxyConnectivity { get; set; }
}
