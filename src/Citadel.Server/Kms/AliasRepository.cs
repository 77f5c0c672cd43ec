using Citadel.Core.Keys;
using Citadel.Storage;
using Citadel.Storage.Cluster;

namespace Citadel.Server.Kms;

/// <summary>
/// Aliases: every write goes through here and reports its change to its change sink (the
/// <see cref="Cluster.CacheInvalidator"/>), the one path by which a change made here or on another node (the store's
/// change feed) drops the cached alias. Reads are the store's, as the alias operations need the row as it is now.
/// </summary>
internal sealed class AliasRepository(IStore store, IChangeSink changes)
{
    public Task<AliasRecord?> GetAsync(string account, string region, string name, CancellationToken ct) => store.GetAliasAsync(account, region, name, ct);

    public Task<Page<AliasRecord>> ListAsync(string account, string region, KeyId? key, int limit, string? after, CancellationToken ct) =>
        store.ListAliasesAsync(account, region, key, limit, after, ct);

    public Task<StoreOutcome> CreateAsync(AliasRecord alias, CancellationToken ct) =>
        changes.WriteAsync(StoreChange.AliasChanged(alias.AccountId, alias.Region, alias.Name), () => store.CreateAliasAsync(alias, ct));

    public Task<StoreOutcome> UpdateAsync(string account, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct) =>
        changes.WriteAsync(StoreChange.AliasChanged(account, region, name), () => store.UpdateAliasAsync(account, region, name, target, now, ct));

    public Task<StoreOutcome> DeleteAsync(string account, string region, string name, CancellationToken ct) =>
        changes.WriteAsync(StoreChange.AliasChanged(account, region, name), () => store.DeleteAliasAsync(account, region, name, ct));
}
