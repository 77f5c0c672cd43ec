using Microsoft.Extensions.Logging;

namespace Citadel.Server;

/// <summary>Server log messages. Ids 1000–1099. Next free id: 1020; 1090–1099 are the audit journal reader's (next free 1093).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Request {RequestId} ({Operation}) failed with an internal error")]
    public static partial void RequestFailed(this ILogger logger, Exception exception, string requestId, string operation);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Deleted key {KeyArn}: its waiting period ended")]
    public static partial void KeyDeleted(this ILogger logger, string keyArn);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "The background job {Job} failed; it will run again")]
    public static partial void JobFailed(this ILogger logger, Exception exception, string job);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Created the root key file {Path}")]
    public static partial void RootKeyCreated(this ILogger logger, string path);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Request {RequestId} {Operation} by {Principal} failed: {ErrorType}")]
    public static partial void RequestRefused(this ILogger logger, string requestId, string operation, string principal, string errorType);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Development clock advanced by {Offset}; it is now {Now}")]
    public static partial void ClockAdvanced(this ILogger logger, TimeSpan offset, DateTimeOffset now);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Development reset: all keys, aliases and tags were removed")]
    public static partial void StateReset(this ILogger logger);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Rotated {KeyArn} to material version {Version}")]
    public static partial void KeyRotated(this ILogger logger, string keyArn, int version);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Debug, Message = "Request {RequestId}: {Principal} {Action} on {Resource} {Decision} by {Reason}")]
    public static partial void AuthorizationDecided(this ILogger logger, string requestId, string principal, string action, string resource, string decision, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Could not write {Count} audit events; their requests fail, and so will others until a write succeeds (logged again at most once a minute; metric citadel.audit.write.failures counts them)")]
    public static partial void AuditWriteFailed(this ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Could not add {Count} audit events to the queryable trail (attempt {Attempt}); they are safe in the journal and will be added when the store answers")]
    public static partial void AuditIndexFailed(this ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Moved {Count} audit events from the journal into the trail (left by an earlier run)")]
    public static partial void AuditRecovered(this ILogger logger, long count);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "The audit journal is writable again; requests are recorded and answered")]
    public static partial void AuditWritable(this ILogger logger);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Warning, Message = "Derived {Count} audit events into the trail again from the journal: the database lost commits of the trail (it restarted), never the journal's")]
    public static partial void AuditRederived(this ILogger logger, long count);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Warning, Message = "This node claimed its audit chain {ChainId} again: the database session that held the claim ended (the database restarted or the connection broke)")]
    public static partial void AuditChainReclaimed(this ILogger logger, string chainId);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "This node lost its claim on its audit chain {ChainId} and another node holds it (it derives the chain, taking this node for dead); requests fail until this node claims it again")]
    public static partial void AuditChainClaimLost(this ILogger logger, string chainId);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Error, Message = "Could not cut the frames of audit events {First}-{Last}, whose write or sync failed, off the journal {Path}: their requests fail once the trail holds their numbers as a gap, durably, so that a drain after a kill does not bring them in")]
    public static partial void AuditJournalNotCutBack(this ILogger logger, Exception exception, long first, long last, string path);

    [LoggerMessage(EventId = 1019, Level = LogLevel.Error, Message = "The trail could not record audit events {First}-{Last} as a gap within {Seconds} s (the store or its indexer is unavailable), and their frames could not be cut off the journal: their requests failed, but if this process is killed before the trail records the gap, the drain at the next start may bring those events in as requests carried out")]
    public static partial void AuditLostGapNotRecorded(this ILogger logger, long first, long last, double seconds);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "Derived {Count} audit events of chain {ChainId} into the trail before a read: no running node held the chain (its node is gone, or the database restarted and the node has not claimed its chain again)")]
    public static partial void AuditChainDerivedForRead(this ILogger logger, long count, string chainId);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Debug, Message = "The orphan pass left audit chain {ChainId} alone: its journal rows end past its trail and its head has not moved since the last pass, but a running node holds the chain (it derives it)")]
    public static partial void AuditOrphanPassLeftChain(this ILogger logger, string chainId);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Debug, Message = "Request {RequestId} ({Operation}): the request body could not be read, answered {Status}: {Reason}")]
    public static partial void RequestBodyUnreadable(this ILogger logger, string requestId, string operation, int status, string reason);

    [LoggerMessage(EventId = 1090, Level = LogLevel.Warning, Message = "Dropped what follows audit event {Sequence} in the journal {Path} from byte {Offset}: no intact event of a later number follows it, so it is a write a crash interrupted, never acknowledged (or what remains of an older event in a journal written again)")]
    public static partial void AuditJournalTailDropped(this ILogger logger, long sequence, string path, int offset);

    [LoggerMessage(EventId = 1091, Level = LogLevel.Warning, Message = "The audit journal {Path} has a damaged header and holds no events: set aside as {SetAsideAs}")]
    public static partial void AuditJournalSetAside(this ILogger logger, string path, string setAsideAs);

    [LoggerMessage(EventId = 1092, Level = LogLevel.Warning, Message = "Audit events {First}-{Last} of chain {ChainId} are in no journal, while later events are (a stripe's torn tail or failed sync; never acknowledged): the gap is recorded in the chain")]
    public static partial void AuditJournalHoleRecorded(this ILogger logger, long first, long last, string chainId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Storage ready: {Provider} at {Location}")]
    public static partial void StorageReady(this ILogger logger, string provider, string location);
}
