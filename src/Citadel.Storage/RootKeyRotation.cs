namespace Citadel.Storage;

/// <summary>
/// A root key rotation under way (`citadel rekey`): the new root key's seal and its check value. While
/// it is stored, servers seal with the new key and unseal with either, and the rekey re-wraps every
/// sealed secret; finishing makes the new check value the store's and removes this.
/// </summary>
/// <param name="Target">Where the new root key is: "file:&lt;absolute path&gt;" or "pkcs11:&lt;key label&gt;" (on the configured token).</param>
/// <param name="TargetCheck">The check constant sealed under the new root key.</param>
/// <param name="StartedAt">When the rotation started.</param>
public sealed record RootKeyRotation(string Target, byte[] TargetCheck, DateTimeOffset StartedAt);

/// <summary>What a sealed secret in the store is.</summary>
public enum SealedSecretKind
{
    /// <summary>A key material version (symmetric, HMAC, private key, imported): bound to its key ARN and version.</summary>
    KeyMaterial = 1,

    /// <summary>An access key's secret: bound to its access key id.</summary>
    AccessKeySecret = 2,

    /// <summary>The secret of a custom key store's XKS proxy credential: bound to the store id.</summary>
    XksProxySecret = 3,
}

/// <summary>One secret sealed under the root key, as the store holds it.</summary>
/// <param name="Kind">Key material, an access key secret or an XKS proxy secret.</param>
/// <param name="Id">The key id, the access key id, or the custom key store id.</param>
/// <param name="Version">The key material version (0 for an access key).</param>
/// <param name="Binding">What the seal binds it to: the key ARN, the access key id, or the custom key store id.</param>
/// <param name="Sealed">The sealed bytes.</param>
public sealed record SealedSecret(SealedSecretKind Kind, string Id, int Version, string Binding, byte[] Sealed);
