using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit.Streaming;

/// <summary>Log messages of the audit stream. Ids 1620–1639. Next free id: 1627.</summary>
internal static partial class StreamLog
{
    [LoggerMessage(EventId = 1620, Level = LogLevel.Information, Message = "Streaming the audit trail to {Directory} (CloudTrail layout, up to {MaxEvents} events or {MaxAge} per file)")]
    public static partial void StreamStarted(this ILogger logger, string directory, int maxEvents, TimeSpan maxAge);

    [LoggerMessage(EventId = 1621, Level = LogLevel.Error, Message = "The audit stream to {Directory} is stopped: {Reason}. It retries by itself (every {RetrySeconds} s, up to every minute) and resumes where it stopped; requests are served meanwhile")]
    public static partial void StreamFailed(this ILogger logger, string directory, string reason, double retrySeconds);

    [LoggerMessage(EventId = 1622, Level = LogLevel.Debug, Message = "The audit stream to {Directory} is still stopped: {Reason}")]
    public static partial void StreamStillFailing(this ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 1623, Level = LogLevel.Information, Message = "The audit stream to {Directory} resumed")]
    public static partial void StreamResumed(this ILogger logger, string directory);

    [LoggerMessage(EventId = 1624, Level = LogLevel.Debug, Message = "Audit stream: wrote events {First} to {Last} of chain {Chain} to {Path}")]
    public static partial void StreamFileWritten(this ILogger logger, long first, long last, string chain, string path);

    [LoggerMessage(EventId = 1625, Level = LogLevel.Warning, Message = "The audit stream to {Directory} is {Seconds} s behind: {Events} events are not written yet")]
    public static partial void StreamBehind(this ILogger logger, string directory, long seconds, long events);

    [LoggerMessage(EventId = 1626, Level = LogLevel.Warning, Message = "Audit stream: events {From} to {To} of chain {Chain} are not in the trail (removed by retention before they were streamed, or never written); streaming continues after them")]
    public static partial void StreamGap(this ILogger logger, long from, long to, string chain);
}
