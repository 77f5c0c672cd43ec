namespace Citadel.Server.CustomKeyStores;

/// <summary>The settings of CreateCustomKeyStore and UpdateCustomKeyStore, as the request gave them (null: not given).</summary>
internal sealed record CustomKeyStoreSettings(
    string? Name,
    string? Type,
    string? CloudHsmClusterId,
    string? TrustAnchorCertificate,
    string? KeyStorePassword,
    string? UriEndpoint,
    string? UriPath,
    string? VpcEndpointServiceName,
    string? VpcEndpointServiceOwner,
    string? AccessKeyId,
    string? RawSecretAccessKey,
    string? Connectivity)
{
    public bool NamesCloudHsm => CloudHsmClusterId is not null || TrustAnchorCertificate is not null || KeyStorePassword is not null;

    public bool NamesProxy => UriEndpoint is not null || UriPath is not null || VpcEndpointServiceName is not null || VpcEndpointServiceOwner is not null || Connectivity is not null;

    public bool NamesCredential => AccessKeyId is not null || RawSecretAccessKey is not null;
}
