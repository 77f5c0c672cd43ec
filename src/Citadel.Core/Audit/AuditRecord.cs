namespace Citadel.Core.Audit;

/// <summary>
/// One stored audit event: the CloudTrail record (JSON) and the columns it is looked up by, with
/// its place in a hash chain. Append-only: records are never updated.
/// </summary>
public sealed record AuditRecord(
    string ChainId,
    long Sequence,
    string EventId,
    DateTimeOffset EventTime,
    string AccountId,
    string EventName,
    string EventSource,
    string? Username,
    string? AccessKeyId,
    string? ResourceName,
    bool ReadOnly,
    string Record,
    string PreviousHash,
    string Hash);

/// <summary>The last record of a chain, as the writer and the verifier know it.</summary>
public sealed record AuditChainHead(string ChainId, long Sequence, string Hash, long RetainedFromSequence);
