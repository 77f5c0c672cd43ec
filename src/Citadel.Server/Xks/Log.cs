using Microsoft.Extensions.Logging;

namespace Citadel.Server.Xks;

/// <summary>XKS proxy log messages. Ids 5000–5099. Next free id: 5004.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Error, Message = "XKS request {RequestId} ({Operation}) failed")]
    public static partial void XksRequestFailed(this ILogger logger, Exception exception, string requestId, XksOperation operation);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "XKS request {RequestId} ({Operation}) by {Principal} refused: {ErrorName}")]
    public static partial void XksRequestRefused(this ILogger logger, string requestId, XksOperation operation, string principal, string errorName);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "XKS request {RequestId}: {Principal} {Action} on {Resource} {Decision} by {Deciding}")]
    public static partial void XksAuthorizationDecided(this ILogger logger, string requestId, string principal, string action, string resource, string decision, string deciding);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Error, Message = "XKS request {RequestId} ({Operation}) could not be audited: {Reason}")]
    public static partial void XksAuditUnavailable(this ILogger logger, string requestId, XksOperation operation, string reason);
}
