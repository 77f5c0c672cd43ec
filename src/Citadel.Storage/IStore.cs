using Citadel.Core.Grants;
using Citadel.Core.Identity;
using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>
/// The store contract. Every method that changes state is one transaction. Updates of a key use
/// optimistic concurrency on <see cref="KeyRecord.RowVersion"/>: a write against a stale version
/// returns <see cref="StoreOutcome.VersionConflict"/> and changes nothing.
/// </summary>
public interface IStore : IAccessKeyLookup, IIamEntityStore, IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema. Idempotent; run at start.</summary>
    Task MigrateAsync(CancellationToken ct);

    // Identities

    /// <summary>Inserts the access key, or replaces the one with the same id (keeping its status).</summary>
    Task PutAccessKeyAsync(AccessKeyRecord accessKey, CancellationToken ct);

    Task<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string? principalArn, CancellationToken ct);

    Task<StoreOutcome> DeleteAccessKeyAsync(string accessKeyId, CancellationToken ct);

    /// <summary>Creates an account (its root principal too). AlreadyExists if it is there.</summary>
    Task<StoreOutcome> CreateAccountAsync(string accountId, DateTimeOffset now, CancellationToken ct);

    Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken ct);

    /// <summary>Creates a user or role. NotFound when its account does not exist; AlreadyExists when the ARN does.</summary>
    Task<StoreOutcome> CreatePrincipalAsync(PrincipalRecord principal, CancellationToken ct);

    Task<PrincipalRecord?> GetPrincipalAsync(string arn, CancellationToken ct);

    Task<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(string accountId, CancellationToken ct);

    /// <summary>Deletes a user or role with its access keys and identity policies.</summary>
    Task<StoreOutcome> DeletePrincipalAsync(string arn, CancellationToken ct);

    /// <summary>Attaches (or replaces) a named identity policy. NotFound when the principal does not exist.</summary>
    Task<StoreOutcome> PutIdentityPolicyAsync(IdentityPolicyRecord policy, CancellationToken ct);

    Task<StoreOutcome> DeleteIdentityPolicyAsync(string principalArn, string name, CancellationToken ct);

    Task<IReadOnlyList<IdentityPolicyRecord>> ListIdentityPoliciesAsync(string principalArn, CancellationToken ct);

    /// <summary>A number that grows with every change of identities, access keys or identity policies; caches compare it to know when to reload.</summary>
    Task<long> GetIdentityVersionAsync(CancellationToken ct);

    // Grants

    /// <summary>Creates a grant. NotFound when the key does not exist.</summary>
    Task<StoreOutcome> CreateGrantAsync(GrantRecord grant, CancellationToken ct);

    Task<IReadOnlyList<GrantRecord>> ListGrantsAsync(KeyId key, CancellationToken ct);

    Task<IReadOnlyList<GrantRecord>> ListGrantsByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken ct);

    Task<StoreOutcome> DeleteGrantAsync(KeyId key, string grantId, CancellationToken ct);

    // Keys

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

    Task<KeyMaterialRecord?> GetMaterialAsync(KeyId id, int version, CancellationToken ct);

    Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsAsync(KeyId id, CancellationToken ct);

    /// <summary>Keys pending deletion whose deletion date is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<KeyRecord>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Enabled keys with automatic rotation whose next rotation is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<KeyRecord>> ListKeysDueForRotationAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>
    /// Replaces the key's metadata if its stored row version is still <paramref name="key"/>.RowVersion, and in the
    /// same transaction inserts or replaces the material versions of <paramref name="upsert"/> (matched on key id and
    /// version, every column) and removes the versions of <paramref name="removeVersions"/> (imported material).
    /// </summary>
    Task<StoreOutcome> UpdateKeyMaterialsAsync(KeyRecord key, IReadOnlyList<KeyMaterialRecord> upsert, IReadOnlyList<int> removeVersions, CancellationToken ct);

    /// <summary>Imported material versions (ImportState Imported) whose ValidTo is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsDueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>Removes every key, material version, alias, tag and grant (a development reset); identities stay.</summary>
    Task DeleteAllKeysAsync(CancellationToken ct);

    /// <summary>Removes the key, its material, aliases, tags and grants, if its row version is unchanged.</summary>
    Task<StoreOutcome> DeleteKeyAsync(KeyRecord key, CancellationToken ct);

    // Aliases

    Task<AliasRecord?> GetAliasAsync(string accountId, string region, string name, CancellationToken ct);

    Task<StoreOutcome> CreateAliasAsync(AliasRecord record, CancellationToken ct);

    Task<StoreOutcome> UpdateAliasAsync(string accountId, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct);

    Task<StoreOutcome> DeleteAliasAsync(string accountId, string region, string name, CancellationToken ct);

    /// <summary>Aliases of an account in a region (of one key when <paramref name="key"/> is set), ordered by name.</summary>
    Task<Page<AliasRecord>> ListAliasesAsync(string accountId, string region, KeyId? key, int limit, string? after, CancellationToken ct);

    // Tags

    Task<IReadOnlyList<Tag>> ListTagsAsync(KeyId id, CancellationToken ct);

    /// <summary>Adds or overwrites <paramref name="upsert"/>, and removes <paramref name="remove"/>, in one transaction.</summary>
    Task<StoreOutcome> ChangeTagsAsync(KeyId id, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, CancellationToken ct);

    // The root key check: a constant sealed under the root key at the first start, so a server
    // given another root key is refused before it reads or writes anything sealed.

    /// <summary>The sealed check value, or null when none was stored yet.</summary>
    Task<byte[]?> GetRootKeyCheckAsync(CancellationToken ct);

    /// <summary>Stores the check value once: AlreadyExists when one is there (another node stored it first); it is replaced only by <see cref="FinishRootKeyRotationAsync"/>.</summary>
    Task<StoreOutcome> PutRootKeyCheckAsync(byte[] check, DateTimeOffset now, CancellationToken ct);

    // Root key rotation (`citadel rekey`): every sealed secret re-wrapped under a new root key while
    // servers serve; the rotation's state is here, so a second run after a kill finishes it.

    /// <summary>The rotation under way, or null.</summary>
    Task<RootKeyRotation?> GetRootKeyRotationAsync(CancellationToken ct);

    /// <summary>Records a rotation: AlreadyExists when one is under way.</summary>
    Task<StoreOutcome> StartRootKeyRotationAsync(RootKeyRotation rotation, CancellationToken ct);

    /// <summary>Sealed secrets of one kind, ordered by id and version, after (<paramref name="afterId"/>, <paramref name="afterVersion"/>) when given.</summary>
    Task<IReadOnlyList<SealedSecret>> ListSealedSecretsAsync(SealedSecretKind kind, string? afterId, int afterVersion, int limit, CancellationToken ct);

    /// <summary>Replaces a sealed secret if it still holds <paramref name="current"/>.Sealed: VersionConflict when it changed or is gone.</summary>
    Task<StoreOutcome> ReplaceSealedSecretAsync(SealedSecret current, byte[] resealed, CancellationToken ct);

    /// <summary>In one transaction, makes the rotation's check value the store's and removes the rotation: NotFound when none is under way.</summary>
    Task<StoreOutcome> FinishRootKeyRotationAsync(DateTimeOffset now, CancellationToken ct);
}

/// <summary>The one store call authentication needs: find an access key by id.</summary>
public interface IAccessKeyLookup
{
    /// <summary>The access key of that id if it is Active; an Inactive key is not found, so it signs nothing.</summary>
    Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct);
}
