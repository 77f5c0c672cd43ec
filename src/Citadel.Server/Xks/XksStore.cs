using System.Collections.Frozen;
using Citadel.Core.Keys;

namespace Citadel.Server.Xks;

/// <summary>A key a logical store allows: the external key id AWS KMS names, the Citadel key, and what the store may do with it.</summary>
public sealed record XksKeyBinding(string ExternalKeyId, KeyId KeyId, XksKeyUsage Usage)
{
    /// <summary>The user tag value: &lt;key id&gt;/&lt;usage&gt;.</summary>
    public string TagValue => $"{KeyId}/{XksKeyUsages.Name(Usage)}";
}

/// <summary>
/// A logical key store: one URI prefix and the credentials (access keys of its IAM user, <see cref="PrincipalArn"/>)
/// that may call it, and the keys it allows by external key id.
/// </summary>
public sealed record XksStore(string Name, string AccountId, string PrincipalArn, string UriPrefix, FrozenDictionary<string, XksKeyBinding> Keys)
{
    /// <summary>What to give AWS KMS as XksProxyUriPath.</summary>
    public string UriPath => UriPrefix + XksNames.ApiPath;
}
