using Citadel.Core.Audit;

namespace Citadel.Storage;

/// <summary>What LookupEvents can filter on (one attribute at a time, as CloudTrail allows).</summary>
public enum AuditLookupKey
{
    None,
    EventId,
    EventName,
    ReadOnly,
    Username,
    ResourceName,
    ResourceType,
    EventSource,
    AccessKeyId,
}

/// <summary>A LookupEvents query: one account, a time range, one optional attribute, newest first.</summary>
public sealed record AuditQuery(
    string AccountId,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    AuditLookupKey Attribute,
    string? AttributeValue,
    int Limit,
    AuditCursor? After);

/// <summary>Where a page of newest-first results ended.</summary>
public readonly record struct AuditCursor(long TimeMs, string ChainId, long Sequence);

/// <summary>
/// The audit trail's storage: append-only hash chains (one per writer), each batch of records and
/// the chain head written in one transaction.
/// </summary>
public interface IAuditStore
{
    Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct);

    Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct);

    /// <summary>Appends records (consecutive sequence numbers continuing the chain) and moves the head, in one transaction.</summary>
    Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct);

    /// <summary>
    /// <see cref="AppendAsync(string, IReadOnlyList{AuditRecord}, CancellationToken)"/> from the
    /// records' encoded bytes. A store that binds UTF-8 directly saves making strings of every field
    /// (the audit indexer's main allocation); by default the records are converted.
    /// </summary>
    Task AppendAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendAsync(chainId, records.Select(r => r.ToRecord(chainId)).ToList(), ct);

    /// <summary>
    /// <see cref="AppendAsync(string, IReadOnlyList{AuditRecordUtf8}, CancellationToken)"/> for records
    /// derived from a durable journal, which keeps them until <see cref="SyncDerivedAsync"/> returns:
    /// the store may commit without waiting for its own disk sync (a crash may lose the last such
    /// commits, never make the trail inconsistent). Key material and every other write stay fully
    /// durable. By default the append is durable.
    /// </summary>
    Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendAsync(chainId, records, ct);

    /// <summary>
    /// The data directory whose journal segments hold records this trail refers to, or null: a store that returns one
    /// lets <see cref="AppendDerivedAsync"/> store a reference to a record's bytes in its journal segment
    /// (<see cref="AuditRecordUtf8.Segment"/>, <see cref="JournalRecordReference"/>) instead of the record, and reads
    /// it from there (<see cref="JournalSegments"/>); a journal writer whose journals are in that directory then keeps
    /// them as segments (<see cref="JournalSegments.DirectoryFor"/>).
    /// </summary>
    string? SegmentsDataDirectory => null;

    /// <summary>Makes every <see cref="AppendDerivedAsync"/> that returned before the call durable.</summary>
    Task SyncDerivedAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Records of one chain in sequence order, from <paramref name="fromSequence"/>.</summary>
    IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, CancellationToken ct);

    Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct);

    /// <summary>Removes records older than <paramref name="cutoff"/> (retention), recording where each chain now starts.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct);

    /// <summary>Replaces the stored result of the latest verification of the chains (the audit verification job's), in one transaction.</summary>
    Task SaveVerificationAsync(AuditVerification verification, CancellationToken ct);

    /// <summary>The latest verification stored by <see cref="SaveVerificationAsync"/>, or null before the first.</summary>
    Task<AuditVerification?> GetVerificationAsync(CancellationToken ct);
}
