using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>Aliases: names of keys per account and region.</summary>
public interface IAliasStore
{
    Task<AliasRecord?> GetAliasAsync(string accountId, string region, string name, CancellationToken ct);

    Task<StoreOutcome> CreateAliasAsync(AliasRecord record, CancellationToken ct);

    Task<StoreOutcome> UpdateAliasAsync(string accountId, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct);

    Task<StoreOutcome> DeleteAliasAsync(string accountId, string region, string name, CancellationToken ct);

    /// <summary>Aliases of an account in a region (of one key when <paramref name="key"/> is set), ordered by name.</summary>
    Task<Page<AliasRecord>> ListAliasesAsync(string accountId, string region, KeyId? key, int limit, string? after, CancellationToken ct);
}
