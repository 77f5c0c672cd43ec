namespace Citadel.Server.Audit;

/// <summary>
/// A request's event could not be made durable, so the request fails; the message says why in one
/// line (<see cref="AuditWriter.Unavailable"/>). The writer logs the failure itself, once and then at
/// most once a minute, so the endpoint need not log one per request.
/// </summary>
internal sealed class AuditUnavailableException(string message, Exception inner) : IOException(message, inner);
