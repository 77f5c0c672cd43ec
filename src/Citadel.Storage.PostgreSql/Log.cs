using Microsoft.Extensions.Logging;

namespace Citadel.Storage.PostgreSql;

/// <summary>PostgreSQL storage log messages. Ids 3000–3099. Next free id: 3006.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Listening for changes of other nodes on channel {Channel}")]
    public static partial void ChangeFeedListening(this ILogger logger, string channel);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "The change feed lost its connection; reconnecting in {Delay}")]
    public static partial void ChangeFeedDisconnected(this ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Change {Sequence} was never notified (last notified {Notified}); dropping every cache")]
    public static partial void ChangeNotificationMissed(this ILogger logger, long sequence, long notified);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "This node took the job lock: background jobs run here")]
    public static partial void JobLockTaken(this ILogger logger);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "This node lost the job lock (its database session ended); background jobs stop here until it is taken again")]
    public static partial void JobLockLost(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Could not reach the database to take the job lock")]
    public static partial void JobLockUnavailable(this ILogger logger, Exception exception);
}
