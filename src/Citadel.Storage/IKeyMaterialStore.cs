using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>Key material versions (sealed under the root key), imported material included.</summary>
public interface IKeyMaterialStore
{
    Task<KeyMaterialRecord?> GetMaterialAsync(KeyId id, int version, CancellationToken ct);

    Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsAsync(KeyId id, CancellationToken ct);

    /// <summary>
    /// Replaces the key's metadata if its stored row version is still <paramref name="key"/>.RowVersion, and in the
    /// same transaction inserts or replaces the material versions of <paramref name="upsert"/> (matched on key id and
    /// version, every column) and removes the versions of <paramref name="removeVersions"/> (imported material).
    /// </summary>
    Task<StoreOutcome> UpdateKeyMaterialsAsync(KeyRecord key, IReadOnlyList<KeyMaterialRecord> upsert, IReadOnlyList<int> removeVersions, CancellationToken ct);

    /// <summary>Imported material versions (ImportState Imported) whose ValidTo is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsDueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken ct);
}
