using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// The audit trail as the services read it (LookupEvents, GetKeyLastUsage, GetAuditChainStatus): lookups and the latest verification only. Events are written by the
/// endpoint's audit writer, never by a service, so the services need no store.
/// </summary>
internal sealed class AuditTrail(IAuditStore store)
{
    public Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct) => store.LookupAsync(query, ct);

    /// <summary>The latest verification of the chains the audit verification job stored, or null before the first.</summary>
    public Task<AuditVerification?> GetVerificationAsync(CancellationToken ct) => store.GetVerificationAsync(ct);
}
