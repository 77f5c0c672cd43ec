using System.Collections.Concurrent;
using System.Security.Cryptography;
using Citadel.Core.Keys;

namespace Citadel.Server.Kms;

/// <summary>
/// Parsed RSA/ECDSA key objects per key version, so Sign and Verify do not import the key on every
/// request (parsing a PKCS#8 P-256 key costs about 5 times the signature itself). A .NET key object is
/// not documented as safe for concurrent use, so each is rented by one request at a time; at most a
/// few stay pooled per key. Disposing them frees (and OpenSSL clears) the native key.
/// </summary>
internal static class LoadedKeyPool
{
    private const int MaxKeys = 10_000;
    private const int MaxPerKey = 4;

    private static readonly ConcurrentDictionary<(KeyId Key, int Version, bool Private), ConcurrentBag<AsymmetricAlgorithm>> Pools = new();

    /// <summary>A pooled key object, if one is free; the caller loads one otherwise (and returns it after use either way).</summary>
    public static bool TryRent(KeyId key, int version, bool privateKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AsymmetricAlgorithm? loaded)
    {
        loaded = null;
        return Pools.TryGetValue((key, version, privateKey), out var bag) && bag.TryTake(out loaded);
    }

    public static void Return(KeyId key, int version, bool privateKey, AsymmetricAlgorithm loaded)
    {
        if (Pools.Count >= MaxKeys)
        {
            foreach (var pair in Pools)
            {
                if (Pools.TryRemove(pair))
                {
                    while (pair.Value.TryTake(out var old))
                    {
                        old.Dispose();
                    }
                }
            }
        }

        var bag = Pools.GetOrAdd((key, version, privateKey), static _ => []);
        if (bag.Count < MaxPerKey)
        {
            bag.Add(loaded);
        }
        else
        {
            loaded.Dispose();
        }
    }
}
