namespace Citadel.Storage;

/// <summary>
/// A store that holds the audit journal itself (PostgreSQL, shared by the nodes): a batch of sealed
/// journal frames is committed there before its requests are answered, so an acknowledged event
/// survives the loss of the node that took it. The frames are opaque to the store; the server
/// derives the trail from them (<see cref="IAuditStore.AppendDerivedAsync"/>, which also removes
/// the journal rows it covers) and any node derives what a dead node left.
/// </summary>
public interface IAuditJournalStore
{
    /// <summary>Inserts one run of consecutive frames and commits: durable when it returns.</summary>
    Task AppendJournalAsync(string chainId, long firstSequence, long lastSequence, ReadOnlyMemory<byte> frames, CancellationToken ct);

    /// <summary>The chains that have journal rows.</summary>
    Task<IReadOnlyList<string>> ListJournalChainsAsync(CancellationToken ct);

    /// <summary>
    /// Claims a chain for as long as the returned handle lives (and the node's session does): only
    /// its claimant writes or derives it. Null when another live node holds it.
    /// </summary>
    Task<IAsyncDisposable?> TryClaimChainAsync(string chainId, CancellationToken ct);

    /// <summary>A chain's journal rows (each a run of consecutive frames), in sequence order.</summary>
    Task<IReadOnlyList<byte[]>> ReadJournalAsync(string chainId, CancellationToken ct);

    /// <summary>Removes a chain's journal rows whose frames all have at most <paramref name="upToSequence"/>.</summary>
    Task DeleteJournalAsync(string chainId, long upToSequence, CancellationToken ct);
}
