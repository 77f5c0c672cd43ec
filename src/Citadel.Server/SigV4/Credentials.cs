using System.Collections.Concurrent;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Storage;

namespace Citadel.Server.SigV4;

/// <summary>An access key with its unsealed secret, held in memory for signature checks.</summary>
internal sealed class Credential(AccessKeyRecord record, byte[] secret)
{
    private readonly ConcurrentDictionary<(string Date, string Region, string Service), byte[]> _signingKeys = new();

    public AccessKeyRecord Record { get; } = record;

    public Principal Principal { get; } = new(record.AccountId, record.PrincipalArn, record.PrincipalType, record.PrincipalId);

    /// <summary>The SigV4 signing key for a scope, derived once and cached (it changes once a day per region and service).</summary>
    public byte[] SigningKey(string date, string region, string service)
    {
        if (_signingKeys.TryGetValue((date, region, service), out var key))
        {
            return key;
        }

        if (_signingKeys.Count > 64)
        {
            _signingKeys.Clear();
        }

        key = SigV4Canonical.SigningKey(secret, date, region, service);
        _signingKeys[(date, region, service)] = key;
        return key;
    }
}

/// <summary>Finds access keys and unseals their secrets, caching both.</summary>
internal sealed class AccessKeyCache(IAccessKeyLookup store, ISeal seal)
{
    private readonly ConcurrentDictionary<string, Credential> _credentials = new(StringComparer.Ordinal);
    private long _generation;

    public async ValueTask<Credential?> FindAsync(string accessKeyId, CancellationToken ct)
    {
        if (_credentials.TryGetValue(accessKeyId, out var credential))
        {
            return credential;
        }

        // A load that overlaps a Clear (another node changed identities) is used once, not cached.
        var generation = Volatile.Read(ref _generation);
        var record = await store.FindAccessKeyAsync(accessKeyId, ct);
        if (record is null)
        {
            return null;
        }

        credential = new Credential(record, SecretSeal.Unseal(seal, record.AccessKeyId, record.SealedSecret));
        if (Volatile.Read(ref _generation) == generation)
        {
            _credentials[accessKeyId] = credential;
            if (Volatile.Read(ref _generation) != generation)
            {
                _credentials.TryRemove(new KeyValuePair<string, Credential>(accessKeyId, credential));
            }
        }

        return credential;
    }

    public void Invalidate(string accessKeyId) => _credentials.TryRemove(accessKeyId, out _);

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _credentials.Clear();
    }
}

/// <summary>Seals access-key secrets under the root key, bound to the access key id.</summary>
internal static class SecretSeal
{
    public static byte[] Seal(ISeal seal, string accessKeyId, string secret) =>
        seal.Seal(Encoding.UTF8.GetBytes(secret), AssociatedData(accessKeyId));

    public static byte[] Unseal(ISeal seal, string accessKeyId, byte[] sealedSecret) =>
        seal.Unseal(sealedSecret, AssociatedData(accessKeyId));

    private static byte[] AssociatedData(string accessKeyId) => Encoding.UTF8.GetBytes($"citadel/access-key-secret/v1\n{accessKeyId}");
}
