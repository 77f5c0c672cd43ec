using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// The grants of keys: every write goes through here and invalidates the key's cached grants in this process (other
/// nodes invalidate theirs from the store's change feed, <see cref="Cluster.CacheInvalidator"/>). Handlers never clear caches.
/// </summary>
internal sealed class GrantRepository(IStore store, GrantDirectory cache)
{
    /// <summary>The key's grants as stored now (not the authorizer's cache), oldest first.</summary>
    public Task<IReadOnlyList<GrantRecord>> ListAsync(KeyId key, CancellationToken ct) => store.ListGrantsAsync(key, ct);

    public async ValueTask<GrantRecord?> FindAsync(KeyId key, string grantId, CancellationToken ct) =>
        (await store.ListGrantsAsync(key, ct)).FirstOrDefault(g => g.GrantId == grantId);

    public Task<IReadOnlyList<GrantRecord>> ListByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken ct) =>
        store.ListGrantsByRetiringPrincipalAsync(retiringPrincipal, ct);

    public async Task<StoreOutcome> CreateAsync(GrantRecord grant, CancellationToken ct)
    {
        try
        {
            return await store.CreateGrantAsync(grant, ct);
        }
        finally
        {
            cache.Invalidate(grant.KeyId);
        }
    }

    public async Task<StoreOutcome> DeleteAsync(KeyId key, string grantId, CancellationToken ct)
    {
        try
        {
            return await store.DeleteGrantAsync(key, grantId, ct);
        }
        finally
        {
            cache.Invalidate(key);
        }
    }
}
