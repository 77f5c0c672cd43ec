using Microsoft.Extensions.Logging;

namespace Citadel.Server.Observability;

/// <summary>Monitoring log messages: the access log and readiness. Ids 4000–4099. Next free id: 4002.</summary>
internal static partial class Log
{
    /// <summary>One line per API request, in the category <see cref="RequestMetrics.AccessLogCategory"/>.</summary>
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "{Operation} {Status} {ErrorCode} {DurationMs} ms by {PrincipalArn} on {KeyArn} request {RequestId}")]
    public static partial void AccessLogged(this ILogger logger, string operation, int status, string errorCode, double durationMs, string principalArn, string keyArn, string requestId);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Not ready: {Reason}")]
    public static partial void NotReady(this ILogger logger, string reason);
}
