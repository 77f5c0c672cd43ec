using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// Aliases: every write goes through here and forgets the alias in the key repository's cache in this process (other
/// nodes from the store's change feed). Reads are the store's, as the alias operations need the row as it is now.
/// </summary>
internal sealed class AliasRepository(IStore store, KeyRepository keys)
{
    public Task<AliasRecord?> GetAsync(string account, string region, string name, CancellationToken ct) => store.GetAliasAsync(account, region, name, ct);

    public Task<Page<AliasRecord>> ListAsync(string account, string region, KeyId? key, int limit, string? after, CancellationToken ct) =>
        store.ListAliasesAsync(account, region, key, limit, after, ct);

    public async Task<StoreOutcome> CreateAsync(AliasRecord alias, CancellationToken ct)
    {
        try
        {
            return await store.CreateAliasAsync(alias, ct);
        }
        finally
        {
            keys.ForgetAlias(alias.AccountId, alias.Region, alias.Name);
        }
    }

    public async Task<StoreOutcome> UpdateAsync(string account, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            return await store.UpdateAliasAsync(account, region, name, target, now, ct);
        }
        finally
        {
            keys.ForgetAlias(account, region, name);
        }
    }

    public async Task<StoreOutcome> DeleteAsync(string account, string region, string name, CancellationToken ct)
    {
        try
        {
            return await store.DeleteAliasAsync(account, region, name, ct);
        }
        finally
        {
            keys.ForgetAlias(account, region, name);
        }
    }
}
