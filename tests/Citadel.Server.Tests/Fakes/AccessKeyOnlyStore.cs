using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Tests.Fakes;

/// <summary>A store that knows only access keys; anything else is not needed by the tests that use it.</summary>
internal sealed class AccessKeyOnlyStore : IStore
{
    private readonly Dictionary<string, AccessKeyRecord> _accessKeys = new(StringComparer.Ordinal);

    public int Lookups { get; private set; }

    public void Add(AccessKeyRecord record) => _accessKeys[record.AccessKeyId] = record;

    public Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct)
    {
        Lookups++;
        return Task.FromResult(_accessKeys.GetValueOrDefault(accessKeyId));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public Task MigrateAsync(CancellationToken ct) => throw new NotImplementedException();

    public Task PutAccessKeyAsync(AccessKeyRecord accessKey, CancellationToken ct) => throw new NotImplementedException();

    public Task<KeyRecord?> GetKeyAsync(KeyId id, CancellationToken ct) => throw new NotImplementedException();

    public Task<StoreOutcome> CreateKeyAsync(KeyRecord key, KeyMaterialRecord? material, IReadOnlyList<Tag> tags, CancellationToken ct) => throw new NotImplementedException();

    public Task<StoreOutcome> UpdateKeyAsync(KeyRecord key, KeyMaterialRecord? newMaterial, CancellationToken ct) => throw new NotImplementedException();

    public Task<Page<KeyRecord>> ListKeysAsync(string accountId, string region, int limit, string? after, CancellationToken ct) => throw new NotImplementedException();

    public Task<KeyMaterialRecord?> GetMaterialAsync(KeyId id, int version, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsAsync(KeyId id, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<KeyRecord>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken ct) => throw new NotImplementedException();

    public Task<StoreOutcome> DeleteKeyAsync(KeyRecord key, CancellationToken ct) => throw new NotImplementedException();

    public Task<AliasRecord?> GetAliasAsync(string accountId, string region, string name, CancellationToken ct) => throw new NotImplementedException();

    public Task<StoreOutcome> CreateAliasAsync(AliasRecord record, CancellationToken ct) => throw new NotImplementedException();

    public Task<StoreOutcome> UpdateAliasAsync(string accountId, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct) => throw new NotImplementedException();

    public Task<StoreOutcome> DeleteAliasAsync(string accountId, string region, string name, CancellationToken ct) => throw new NotImplementedException();

    public Task<Page<AliasRecord>> ListAliasesAsync(string accountId, string region, KeyId? key, int limit, string? after, CancellationToken ct) => throw new NotImplementedException();

    public Task<IReadOnlyList<Tag>> ListTagsAsync(KeyId id, CancellationToken ct) => throw new NotImplementedException();

    public Task<StoreOutcome> ChangeTagsAsync(KeyId id, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, CancellationToken ct) => throw new NotImplementedException();
}
