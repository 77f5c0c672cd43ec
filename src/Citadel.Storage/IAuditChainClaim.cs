namespace Citadel.Storage;

/// <summary>
/// A claim on an audit chain (<see cref="IAuditJournalStore.TryClaimChainForWritingAsync"/>) that can
/// say whether it still holds: PostgreSQL's lasts as long as the database session that took it, which
/// a server restart ends while the node runs on.
/// </summary>
public interface IAuditChainClaim : IAsyncDisposable
{
    /// <summary>False when the claim is gone (its session ended): the node must claim the chain again.</summary>
    Task<bool> IsHeldAsync(CancellationToken ct);
}
