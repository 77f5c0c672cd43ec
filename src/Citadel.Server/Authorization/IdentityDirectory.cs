using System.Collections.Concurrent;
using Citadel.Core.Identity;
using Citadel.Core.Policies;
using Citadel.Storage;

namespace Citadel.Server.Authorization;

/// <summary>
/// Identity policies per principal, compiled once and cached. The cache is dropped whenever the
/// store's identity version moves (checked every second by <see cref="IdentitySyncJob"/>, and at
/// once after this process changes identities).
/// </summary>
internal sealed class IdentityDirectory(IStore store)
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<Policy>> _policies = new(StringComparer.Ordinal);
    private long _generation;

    private readonly ConcurrentDictionary<string, Principal?> _principals = new(StringComparer.Ordinal);

    public long KnownVersion { get; set; }

    /// <summary>A principal by ARN (for requests made on its behalf by an integrated service).</summary>
    public async ValueTask<Principal?> GetPrincipalAsync(string arn, CancellationToken ct)
    {
        if (_principals.TryGetValue(arn, out var cached))
        {
            return cached;
        }

        var record = await store.GetPrincipalAsync(arn, ct);
        var principal = record is null ? null : new Principal(record.AccountId, record.Arn, record.Type, record.PrincipalId);
        _principals[arn] = principal;
        return principal;
    }

    public async ValueTask<IReadOnlyList<Policy>> GetPoliciesAsync(string principalArn, CancellationToken ct)
    {
        if (_policies.TryGetValue(principalArn, out var cached))
        {
            return cached;
        }

        // A load that overlaps a Clear (another node changed identities) is used once, not cached.
        var generation = Volatile.Read(ref _generation);
        var records = await store.ListIdentityPoliciesAsync(principalArn, ct);
        var compiled = new List<Policy>(records.Count);
        foreach (var record in records)
        {
            // Documents are validated when attached; one that no longer parses grants nothing.
            var policy = Policy.Parse(record.Document, PolicyKind.IdentityPolicy);
            if (policy.IsSuccess)
            {
                compiled.Add(policy.Value);
            }
        }

        if (Volatile.Read(ref _generation) == generation)
        {
            _policies[principalArn] = compiled;
            if (Volatile.Read(ref _generation) != generation)
            {
                _policies.TryRemove(new KeyValuePair<string, IReadOnlyList<Policy>>(principalArn, compiled));
            }
        }

        return compiled;
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _policies.Clear();
        _principals.Clear();
    }
}
