namespace Citadel.Core.Audit;

/// <summary>
/// The latest verification of the audit trail (the server's audit verification job): when it ran and, per chain,
/// how many records it read, whether the chain is intact, the problems it found (the first is the first broken
/// link) and the recorded gaps. Stored where every node reads it; what GetAuditChainStatus answers.
/// </summary>
public sealed record AuditVerification(DateTimeOffset VerifiedAt, IReadOnlyList<AuditChain.Verification> Chains)
{
    /// <summary>Whether every chain is intact (recorded gaps leave a chain intact).</summary>
    public bool Intact => Chains.All(c => c.Intact);
}
