namespace Citadel.Storage;

/// <summary>The root key check and root key rotation.</summary>
public interface IRootKeyStore
{
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
