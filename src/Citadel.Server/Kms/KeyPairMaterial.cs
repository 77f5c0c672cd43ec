using System.Collections.Concurrent;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Keys;

namespace Citadel.Server.Kms;

/// <summary>
/// The material of asymmetric and HMAC keys: the PKCS#8 private key (HMAC: the raw key), sealed in
/// the store like symmetric material and leased from <see cref="MaterialCache"/>; and the public key,
/// derived from the private key once per key version and kept, since it is not secret.
/// </summary>
internal static class KeyPairMaterial
{
    private const int MaxCachedPublicKeys = 10_000;

    private static readonly ConcurrentDictionary<(KeyId Key, int Version), byte[]> PublicKeys = new();

    /// <summary>A lease on the key's current private material; dispose it, and do not keep the span.</summary>
    public static async ValueTask<MaterialHandle> AcquireAsync(KmsRuntime kms, KeyRecord key, CancellationToken ct) =>
        await kms.Materials.AcquireAsync(key, key.CurrentMaterialVersion, ct)
            ?? throw new InvalidOperationException($"Key {key.Id} has no material version {key.CurrentMaterialVersion}.");

    /// <summary>The key's SubjectPublicKeyInfo DER. Key ids are never reused, so entries never go stale.</summary>
    public static async ValueTask<byte[]> PublicKeyAsync(KmsRuntime kms, KeyRecord key, CancellationToken ct)
    {
        if (PublicKeys.TryGetValue((key.Id, key.CurrentMaterialVersion), out var cached))
        {
            return cached;
        }

        byte[] spki;
        using (var material = await AcquireAsync(kms, key, ct))
        {
            spki = KeyPairs.PublicKeyOf(key.Spec, material.Material);
        }

        if (PublicKeys.Count >= MaxCachedPublicKeys)
        {
            PublicKeys.Clear();
        }

        PublicKeys[(key.Id, key.CurrentMaterialVersion)] = spki;
        return spki;
    }
}
