namespace Citadel.Storage;

/// <summary>
/// A journal commit was refused because another node holds the chain's claim exclusively: it takes
/// the chain for dead and derives it (after the database lost this node's claim in a restart). The
/// commit's requests fail; the writer claims its chain again.
/// </summary>
public sealed class AuditChainClaimedException(string chainId)
    : InvalidOperationException($"The audit journal commit was refused: another node is deriving the audit chain '{chainId}' (this node's claim on it was lost, as in a database restart); the node claims it again.")
{
    public string ChainId { get; } = chainId;
}
