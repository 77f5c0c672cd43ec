namespace Citadel.Storage.Cluster;

/// <summary>
/// The lock that lets exactly one node run background jobs (rotation, deletion, expiry). Held for as
/// long as the holder lives; when it dies, another node takes it on its next try.
/// </summary>
public interface IJobLock
{
    /// <summary>True when this node holds the lock (taking it if no node does); checks that a held lock is still held.</summary>
    ValueTask<bool> TryHoldAsync(CancellationToken ct);
}
