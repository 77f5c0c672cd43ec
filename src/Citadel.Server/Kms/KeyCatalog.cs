using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>The listings of keys the operations read as stored now: keys of an account, a key's material versions, its tags.</summary>
internal sealed class KeyCatalog(IStore store)
{
    public Task<Page<KeyRecord>> ListKeysAsync(string account, string region, int limit, string? after, CancellationToken ct) =>
        store.ListKeysAsync(account, region, limit, after, ct);

    public Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsAsync(KeyId id, CancellationToken ct) => store.ListMaterialsAsync(id, ct);

    public Task<IReadOnlyList<Tag>> ListTagsAsync(KeyId id, CancellationToken ct) => store.ListTagsAsync(id, ct);
}
