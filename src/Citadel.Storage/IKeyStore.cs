using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>Keys and their tags. Updates use optimistic concurrency on <see cref="KeyRecord.RowVersion"/>: a write against a stale version returns <see cref="StoreOutcome.VersionConflict"/> and changes nothing.</summary>
public interface IKeyStore
{
    Task<KeyRecord?> GetKeyAsync(KeyId id, CancellationToken ct);

    /// <summary>Creates a key with its first material version (if any) and its tags, in one transaction.</summary>
    Task<StoreOutcome> CreateKeyAsync(KeyRecord key, KeyMaterialRecord? material, IReadOnlyList<Tag> tags, CancellationToken ct);

    /// <summary>
    /// Replaces the key's metadata if its stored row version is still <paramref name="key"/>.RowVersion;
    /// with <paramref name="newMaterial"/>, adds that material version in the same transaction (rotation).
    /// </summary>
    Task<StoreOutcome> UpdateKeyAsync(KeyRecord key, KeyMaterialRecord? newMaterial, CancellationToken ct);

    /// <summary>Keys of an account in a region, ordered by key id; <paramref name="after"/> is the previous page's marker.</summary>
    Task<Page<KeyRecord>> ListKeysAsync(string accountId, string region, int limit, string? after, CancellationToken ct);

    /// <summary>Keys pending deletion whose deletion date is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<KeyRecord>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Enabled keys with automatic rotation whose next rotation is at or before <paramref name="now"/>; not multi-Region replica keys, which follow their primary.</summary>
    Task<IReadOnlyList<KeyRecord>> ListKeysDueForRotationAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Removes every key, material version, alias, tag and grant (a development reset); identities stay.</summary>
    Task DeleteAllKeysAsync(CancellationToken ct);

    /// <summary>Removes the key, its material, aliases, tags and grants, if its row version is unchanged.</summary>
    Task<StoreOutcome> DeleteKeyAsync(KeyRecord key, CancellationToken ct);

    /// <summary>The keys of a multi-Region set (<paramref name="keyId"/>: its id, in any Region or none) in every Region, ordered by Region.</summary>
    Task<IReadOnlyList<KeyRecord>> ListKeySetAsync(KeyId keyId, CancellationToken ct);

    /// <summary>Keys in a transient state (Creating, Updating) whose <see cref="KeyRecord.TransitionAt"/> is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<KeyRecord>> ListKeysDueForTransitionAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>
    /// Creates, updates and deletes the keys of <paramref name="change"/> in one transaction; a key to create that exists
    /// (AlreadyExists) or a key to update or delete whose row version changed (VersionConflict) or that is gone (NotFound)
    /// changes nothing at all.
    /// </summary>
    Task<StoreOutcome> ChangeKeySetAsync(KeySetChange change, CancellationToken ct);

    Task<IReadOnlyList<Tag>> ListTagsAsync(KeyId id, CancellationToken ct);

    /// <summary>Adds or overwrites <paramref name="upsert"/>, and removes <paramref name="remove"/>, in one transaction.</summary>
    Task<StoreOutcome> ChangeTagsAsync(KeyId id, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, CancellationToken ct);
}
