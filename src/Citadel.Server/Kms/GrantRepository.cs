using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Storage;
using Citadel.Storage.Cluster;

namespace Citadel.Server.Kms;

/// <summary>
/// The grants of keys: every write goes through here and reports its change to its change sink (the
/// <see cref="Cluster.CacheInvalidator"/>), the one path by which a change made here or on another node (the store's
/// change feed) drops the key's cached grants. Handlers never clear caches.
/// </summary>
internal sealed class GrantRepository(IStore store, IChangeSink changes)
{
    /// <summary>The key's grants as stored now (not the authorizer's cache), oldest first.</summary>
    public Task<IReadOnlyList<GrantRecord>> ListAsync(KeyId key, CancellationToken ct) => store.ListGrantsAsync(key, ct);

    public async ValueTask<GrantRecord?> FindAsync(KeyId key, string grantId, CancellationToken ct) =>
        (await store.ListGrantsAsync(key, ct)).FirstOrDefault(g => g.GrantId == grantId);

    public Task<IReadOnlyList<GrantRecord>> ListByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken ct) =>
        store.ListGrantsByRetiringPrincipalAsync(retiringPrincipal, ct);

    public Task<StoreOutcome> CreateAsync(GrantRecord grant, CancellationToken ct) =>
        changes.WriteAsync(StoreChange.GrantsChanged(grant.KeyId), () => store.CreateGrantAsync(grant, ct));

    public Task<StoreOutcome> DeleteAsync(KeyId key, string grantId, CancellationToken ct) =>
        changes.WriteAsync(StoreChange.GrantsChanged(key), () => store.DeleteGrantAsync(key, grantId, ct));
}
