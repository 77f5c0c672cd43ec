using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Storage;

namespace Citadel.Server.SigV4;

/// <summary>A credential scope a credential has signed with: its region and its SigV4 signing key.</summary>
internal sealed record SigningScope(string Region, byte[] SigningKey);

/// <summary>An access key with its unsealed secret, held in memory for signature checks.</summary>
internal sealed class Credential
{
    private readonly byte[] _secret;
    private readonly ConcurrentDictionary<string, SigningScope> _scopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SigningScope>.AlternateLookup<ReadOnlySpan<char>> _scopesBySpan;

    public Credential(AccessKeyRecord record, byte[] secret)
        : this(record, secret, new Principal(record.AccountId, record.PrincipalArn, record.PrincipalType, record.PrincipalId))
    {
    }

    /// <summary>A credential whose principal is not the record's alone: a role session's temporary credentials.</summary>
    public Credential(AccessKeyRecord record, byte[] secret, Principal principal)
    {
        _secret = secret;
        _scopesBySpan = _scopes.GetAlternateLookup<ReadOnlySpan<char>>();
        Record = record;
        Principal = principal;
    }

    public AccessKeyRecord Record { get; }

    public Principal Principal { get; }

    /// <summary>
    /// The scope date/region/service/aws4_request, its signing key derived once and cached (it changes
    /// once a day per region and service); looked up by the span of the Authorization header so a request allocates nothing.
    /// </summary>
    public SigningScope Scope(ReadOnlySpan<char> credentialScope, ReadOnlySpan<char> date, ReadOnlySpan<char> region, ReadOnlySpan<char> service)
    {
        if (_scopesBySpan.TryGetValue(credentialScope, out var scope))
        {
            return scope;
        }

        if (_scopes.Count > 64)
        {
            _scopes.Clear();
        }

        var regionText = region.ToString();
        scope = new SigningScope(regionText, SigV4Canonical.SigningKey(_secret, date.ToString(), regionText, service.ToString()));
        _scopes[credentialScope.ToString()] = scope;
        return scope;
    }
}

/// <summary>Finds access keys and unseals their secrets, caching both.</summary>
internal sealed class AccessKeyCache(IAccessKeyLookup store, ISeal seal)
{
    private readonly ConcurrentDictionary<string, Credential> _credentials = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>The cached credential, looked up without allocating the access key id.</summary>
    public bool TryGetCached(ReadOnlySpan<char> accessKeyId, [NotNullWhen(true)] out Credential? credential) =>
        _credentials.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(accessKeyId, out credential);

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

    internal static byte[] AssociatedData(string accessKeyId) => Encoding.UTF8.GetBytes($"citadel/access-key-secret/v1\n{accessKeyId}");
}
