namespace Citadel.Storage;

/// <summary>
/// A store that holds the audit journal itself (PostgreSQL, shared by the nodes): a batch of sealed
/// journal frames is committed there before its requests are answered, so an acknowledged event
/// survives the loss of the node that took it. The frames are opaque to the store; the server
/// derives the trail from them (<see cref="IAuditStore.AppendDerivedAsync"/>) and any node derives
/// what a dead node left. The rows stay after that: they are the record store, which the trail's
/// rows point into, and retention removes them with the events they hold.
/// </summary>
public interface IAuditJournalStore
{
    /// <summary>Inserts one run of consecutive frames and commits: durable when it returns.</summary>
    Task AppendJournalAsync(string chainId, long firstSequence, long lastSequence, ReadOnlyMemory<byte> frames, CancellationToken ct);

    /// <summary>
    /// The chains whose journal rows end past their chain head in the trail, with both ends: one read, which the
    /// orphan pass and every read of the trail on the server make (the latter to wait for other nodes' chains).
    /// </summary>
    Task<IReadOnlyList<AuditJournalChain>> ListJournalChainsAsync(CancellationToken ct);

    /// <summary>
    /// Claims a chain for as long as the returned handle lives (and the node's session does): only
    /// its claimant writes or derives it. Null when another live node holds it.
    /// </summary>
    Task<IAsyncDisposable?> TryClaimChainAsync(string chainId, CancellationToken ct);

    /// <summary>
    /// <see cref="TryClaimChainAsync"/> for the node that writes the chain: its own journal commits
    /// (<see cref="AppendJournalAsync"/>) go on under the claim, and fail with
    /// <see cref="AuditChainClaimedException"/> while another node holds a claim it took by
    /// <see cref="TryClaimChainAsync"/> (the writer's claim was lost with its database session).
    /// </summary>
    Task<IAsyncDisposable?> TryClaimChainForWritingAsync(string chainId, CancellationToken ct) => TryClaimChainAsync(chainId, ct);

    /// <summary>
    /// The trail lost commits of derived events (made without waiting for the WAL flush, then lost in a
    /// database crash): forgets what the store remembers having written with them (the resource hours),
    /// so that deriving those events again writes it again.
    /// </summary>
    void DerivedCommitsLost()
    {
    }

    /// <summary>A chain's journal rows that hold a frame after <paramref name="afterSequence"/> (each a run of consecutive frames), in sequence order.</summary>
    Task<IReadOnlyList<AuditJournalRow>> ReadJournalAsync(string chainId, long afterSequence, CancellationToken ct);
}
