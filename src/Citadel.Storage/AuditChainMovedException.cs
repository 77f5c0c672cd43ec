namespace Citadel.Storage;

/// <summary>
/// An append to an audit chain did not continue the chain as the store holds it: the store's head is
/// not the record before the first appended (PostgreSQL). Either a derived commit the writer saw
/// succeed was lost (a database crash loses the last commits made without waiting for the WAL flush),
/// or another writer moved the chain first (a commit whose reply was lost, or another node deriving
/// the chain). Nothing was written; the writer reads the head again and derives from there.
/// </summary>
public sealed class AuditChainMovedException(string chainId, long expectedHead)
    : InvalidOperationException($"The audit chain '{chainId}' no longer ends at record {expectedHead} in the store (a commit was lost in a database restart, or another writer moved it); nothing was written, and the trail is derived again from the store's head.")
{
    public string ChainId { get; } = chainId;

    /// <summary>The record the append was to follow.</summary>
    public long ExpectedHead { get; } = expectedHead;
}
