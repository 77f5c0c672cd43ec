using Microsoft.Extensions.Logging;

namespace Citadel.Server.Protocol;

/// <summary>
/// Log messages of requests that fail inside the server. Ids 1600–1619. Next free id: 1604.
/// During an outage every request fails the same way: the first failure of each interval is logged
/// in full (<see cref="FailureReports"/>), the rest at Debug, and the next report says how many there were.
/// </summary>
internal static partial class FailureLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Debug, Message = "Request {RequestId} ({Operation}) failed with an internal error: {Exception}")]
    public static partial void RequestFailedAgain(this ILogger logger, string requestId, string operation, string exception);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Error, Message = "Request {RequestId} ({Operation}) failed: its audit event could not be made durable ({Reason}). Requests fail until the audit journal can be written again: check the disk that holds the data directory")]
    public static partial void AuditUnavailable(this ILogger logger, string requestId, string operation, string reason);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Debug, Message = "Request {RequestId} ({Operation}) failed: its audit event could not be made durable ({Reason})")]
    public static partial void AuditUnavailableAgain(this ILogger logger, string requestId, string operation, string reason);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Warning, Message = "{Count} more requests failed since the last report ({What}); each is logged at Debug")]
    public static partial void FailuresHeldBack(this ILogger logger, long count, string what);
}
