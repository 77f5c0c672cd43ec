namespace Citadel.Core.CustomKeyStores;

/// <summary>
/// A custom key store as stored. Immutable: a change is a new record (<c>with</c>) written with optimistic concurrency on
/// <see cref="RowVersion"/>. The proxy's secret access key is only ever held sealed under the root key.
/// </summary>
public sealed record CustomKeyStoreRecord
{
    /// <summary>cks- followed by 17 hexadecimal digits, as AWS's ids.</summary>
    public required string Id { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    /// <summary>CustomKeyStoreName: unique in the account and Region.</summary>
    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public CustomKeyStoreType Type { get; init; } = CustomKeyStoreType.ExternalKeyStore;

    public KeyStoreConnectionState State { get; init; } = KeyStoreConnectionState.Disconnected;

    /// <summary>Why the last connection attempt failed; only with <see cref="KeyStoreConnectionState.Failed"/>.</summary>
    public ConnectionErrorCode? ErrorCode { get; init; }

    public XksProxyConnectivity Connectivity { get; init; } = XksProxyConnectivity.PublicEndpoint;

    /// <summary>XksProxyUriEndpoint: https:// and a host name, no port and no path.</summary>
    public string UriEndpoint { get; init; } = "";

    /// <summary>XksProxyUriPath: [/prefix]/kms/xks/v{n}.</summary>
    public string UriPath { get; init; } = "";

    public string? VpcEndpointServiceName { get; init; }

    public string? VpcEndpointServiceOwner { get; init; }

    /// <summary>The access key id of the proxy authentication credential (returned by DescribeCustomKeyStores).</summary>
    public string AccessKeyId { get; init; } = "";

    /// <summary>The raw secret access key of the credential, sealed under the root key and bound to the store id (never returned).</summary>
    public byte[] SealedSecret { get; init; } = [];

    /// <summary>Incremented by the store on every update; used for optimistic concurrency.</summary>
    public long RowVersion { get; init; }
}

/// <summary>A KMS key in an external key store: the store and the external key (XksKeyId) it is bound to, fixed at CreateKey.</summary>
public sealed record XksKeyBinding(Keys.KeyId KeyId, string CustomKeyStoreId, string XksKeyId);
