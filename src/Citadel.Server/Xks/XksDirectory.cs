using System.Collections.Frozen;
using Citadel.Core.Crypto;
using Citadel.Server.Authorization;
using Citadel.Storage;

namespace Citadel.Server.Xks;

/// <summary>
/// The logical key stores as the XKS endpoint sees them, by their principal's ARN; loaded again when the identities
/// change (<see cref="IdentityDirectory.KnownVersion"/>, which the identity sync job moves within a second of a
/// change by `citadel xks`, the IAM API or another node).
/// </summary>
internal sealed class XksDirectory(IStore store, ISeal seal, IdentityDirectory identities, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private Snapshot? _snapshot;

    public XksAdmin Admin { get; } = new(store, seal, time);

    /// <summary>The store whose user is <paramref name="principalArn"/>, or null.</summary>
    public async ValueTask<XksStore?> FindAsync(string principalArn, CancellationToken ct) =>
        (await CurrentAsync(ct)).Stores.GetValueOrDefault(principalArn);

    /// <summary>The store whose URI prefix is <paramref name="uriPrefix"/>, or null: whom a request nobody could be authenticated for was meant for.</summary>
    public async ValueTask<XksStore?> FindByPrefixAsync(string uriPrefix, CancellationToken ct) =>
        (await CurrentAsync(ct)).ByPrefix.GetValueOrDefault(uriPrefix);

    /// <summary>Forgets the stores (a change made in this process).</summary>
    public void Clear() => Volatile.Write(ref _snapshot, null);

    public void Dispose() => _loading.Dispose();

    private ValueTask<Snapshot> CurrentAsync(CancellationToken ct)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        var version = identities.KnownVersion;
        return snapshot is not null && snapshot.Version == version ? ValueTask.FromResult(snapshot) : new ValueTask<Snapshot>(LoadAsync(version, ct));
    }

    private async Task<Snapshot> LoadAsync(long version, CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            if (Volatile.Read(ref _snapshot) is { } current && current.Version == version)
            {
                return current;
            }

            var stores = await Admin.ListStoresAsync(ct);
            var snapshot = new Snapshot(
                version,
                stores.ToFrozenDictionary(s => s.PrincipalArn, StringComparer.Ordinal),
                // Prefixes are unique; a damaged store's (shown as /invalid-uri-prefix) may repeat: the first is kept.
                stores.GroupBy(s => s.UriPrefix, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal));
            Volatile.Write(ref _snapshot, snapshot);
            return snapshot;
        }
        finally
        {
            _loading.Release();
        }
    }

    private sealed record Snapshot(long Version, FrozenDictionary<string, XksStore> Stores, FrozenDictionary<string, XksStore> ByPrefix);
}
