using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// The audit trail as the services read it (LookupEvents, GetKeyLastUsage): lookups only. Events are written by the
/// endpoint's audit writer, never by a service, so the services need no store.
/// </summary>
internal sealed class AuditTrail(IAuditStore store)
{
    public Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct) => store.LookupAsync(query, ct);
}
