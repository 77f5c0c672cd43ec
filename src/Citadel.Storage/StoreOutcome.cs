namespace Citadel.Storage;

/// <summary>What a store write did. Providers map their own errors to these; no provider exception crosses the contract.</summary>
public enum StoreOutcome
{
    Success = 1,
    NotFound = 2,
    AlreadyExists = 3,

    /// <summary>The row changed since it was read (optimistic concurrency); reload and decide again.</summary>
    VersionConflict = 4,

    /// <summary>The write would pass a limit the caller named (e.g. IAM's two access keys per user); nothing changed.</summary>
    LimitExceeded = 5,

    /// <summary>The row is still referenced (a custom key store that holds keys); nothing changed.</summary>
    InUse = 6,
}
