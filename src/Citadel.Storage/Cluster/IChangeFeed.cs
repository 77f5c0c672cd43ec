namespace Citadel.Storage.Cluster;

/// <summary>Receives the changes a <see cref="IChangeFeed"/> delivers. Called on the feed's thread, one change at a time; must not block.</summary>
public interface IChangeSink
{
    void OnChange(StoreChange change);
}

/// <summary>
/// The changes committed to the store by any node (this one included), so that every node can drop
/// what it caches. A provider with one node per store has nothing to deliver; a shared store
/// (PostgreSQL) delivers each committed change, and <see cref="StoreChange.Everything"/> whenever
/// it may have missed one (a reconnect, a lost notification).
/// </summary>
public interface IChangeFeed
{
    /// <summary>Delivers changes to <paramref name="sink"/> until <paramref name="ct"/> is cancelled. Survives connection failures by itself.</summary>
    Task RunAsync(IChangeSink sink, CancellationToken ct);
}
