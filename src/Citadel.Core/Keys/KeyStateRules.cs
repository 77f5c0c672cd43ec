using Citadel.Core.Errors;

namespace Citadel.Core.Keys;

/// <summary>
/// The key state machine: which states allow which kinds of operation, and the AWS error
/// when they do not (the "Key states of AWS KMS keys" table of the AWS KMS developer guide).
/// </summary>
public static class KeyStateRules
{
    /// <summary>Cryptographic use (Encrypt, Decrypt, GenerateDataKey, ReEncrypt …); a multi-Region key whose primary Region is being updated stays usable.</summary>
    public static KmsError? CheckCryptographicUse(KeyRecord key) => key.State switch
    {
        KeyState.Enabled or KeyState.Updating => null,
        KeyState.Disabled => Errors.Errors.Disabled(key.Arn),
        _ => Errors.Errors.InvalidState(key.Arn, key.State),
    };

    /// <summary>
    /// Management calls that AWS refuses on a key pending deletion (UpdateKeyDescription, tags,
    /// aliases, EnableKey, DisableKey) but allows in Enabled and Disabled, and on a replica key still Creating.
    /// </summary>
    public static KmsError? CheckManageable(KeyRecord key) => key.State switch
    {
        KeyState.Enabled or KeyState.Disabled or KeyState.PendingImport or KeyState.Creating => null,
        _ => Errors.Errors.InvalidState(key.Arn, key.State),
    };

    public static Result<KeyRecord> Enable(KeyRecord key) => key.State switch
    {
        KeyState.Enabled => key,
        KeyState.Disabled => key with { State = KeyState.Enabled },
        _ => Errors.Errors.InvalidState(key.Arn, key.State),
    };

    public static Result<KeyRecord> Disable(KeyRecord key) => key.State switch
    {
        KeyState.Disabled => key,
        KeyState.Enabled => key with { State = KeyState.Disabled },
        _ => Errors.Errors.InvalidState(key.Arn, key.State),
    };

    /// <summary>
    /// PendingDeletion for <paramref name="windowDays"/>; a multi-Region primary key with replicas waits in
    /// PendingReplicaDeletion until they are deleted, and its waiting period starts then (<see cref="ReplicasDeleted"/>).
    /// </summary>
    public static Result<KeyRecord> ScheduleDeletion(KeyRecord key, int windowDays, DateTimeOffset now) => key.State switch
    {
        KeyState.Enabled or KeyState.Disabled or KeyState.PendingImport when key.IsPrimary && key.ReplicaRegions.Count > 0 => key with
        {
            State = KeyState.PendingReplicaDeletion,
            PendingWindowInDays = windowDays,
            DeletionDate = null,
        },
        KeyState.Enabled or KeyState.Disabled or KeyState.PendingImport => key with
        {
            State = KeyState.PendingDeletion,
            PendingWindowInDays = windowDays,
            DeletionDate = now.AddDays(windowDays),
        },
        _ => Errors.Errors.InvalidState(key.Arn, key.State),
    };

    /// <summary>A primary key in PendingReplicaDeletion whose last replica is gone: its waiting period starts now.</summary>
    public static KeyRecord ReplicasDeleted(KeyRecord key, DateTimeOffset now) =>
        key.State == KeyState.PendingReplicaDeletion && key.ReplicaRegions.Count == 0
            ? key with { State = KeyState.PendingDeletion, DeletionDate = now.AddDays(key.PendingWindowInDays ?? 30) }
            : key;

    /// <summary>Cancelling a deletion leaves the key Disabled, as AWS does (a primary waiting for its replicas' deletion too).</summary>
    public static Result<KeyRecord> CancelDeletion(KeyRecord key) => key.State switch
    {
        KeyState.PendingDeletion or KeyState.PendingReplicaDeletion => key with
        {
            State = key.Origin == KeyOrigin.External && key.CurrentMaterialVersion == 0 ? KeyState.PendingImport : KeyState.Disabled,
            PendingWindowInDays = null,
            DeletionDate = null,
        },
        _ => Errors.Errors.NotPendingDeletion(key.Arn),
    };
}
