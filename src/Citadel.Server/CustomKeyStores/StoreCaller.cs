namespace Citadel.Server.CustomKeyStores;

/// <summary>Who asks, where, in which request: what the custom key store operations need of a request, without HTTP.</summary>
/// <param name="AccountId">The caller's account, which owns the stores.</param>
/// <param name="Region">The Region of the request.</param>
/// <param name="RequestId">The KMS request id (kmsRequestId of the proxy calls).</param>
/// <param name="PrincipalArn">The caller (awsPrincipalArn of the proxy calls).</param>
/// <param name="Operation">The KMS operation (kmsOperation of the proxy calls).</param>
internal sealed record StoreCaller(string AccountId, string Region, string RequestId, string PrincipalArn, string Operation)
{
    /// <summary>What the audit event records of the proxy call this request made (additionalEventData), if any.</summary>
    public string? ProxyCall { get; set; }
}

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
