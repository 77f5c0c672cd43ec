namespace Citadel.Server.Audit;

internal sealed partial class AuditWriter
{
    /// <summary>
    /// How many durable events the queryable trail does not hold yet (the indexer's backlog), for
    /// <c>citadel status</c> and readiness details. Normally zero or a batch; a store that is down makes it grow.
    /// </summary>
    public long IndexLag => Math.Max(0, Volatile.Read(ref _durable) - Volatile.Read(ref _indexed));
}
