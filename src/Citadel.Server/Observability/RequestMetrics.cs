using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Observability;

/// <summary>
/// What the endpoint reports when a request is done, for every operation in one place: the request
/// metrics (count, duration, denials) and the access log line. Allocates nothing when the access log
/// is off: the labels are cached per operation and error code, and the line is skipped on one check.
/// </summary>
internal sealed class RequestMetrics(ILoggerFactory loggers)
{
    /// <summary>The log category of the access log, so that operators can route or silence it.</summary>
    public const string AccessLogCategory = "Citadel.Access";

    /// <summary>The error label of a request whose client closed the connection before the answer (nginx's 499).</summary>
    public const string ClientClosedRequest = "ClientClosedRequest";

    private const int ClientClosedRequestStatus = 499;

    private readonly ILogger _access = loggers.CreateLogger(AccessLogCategory);

    public void Completed(OperationTags operation, bool aborted, string requestId, string? principalArn, string? keyArn, int status, KmsErrorCode? error, TimeSpan elapsed)
    {
        var tags = aborted ? operation.Aborted : error is { } code ? operation.Failure(code) : operation.Success;
        CitadelMetrics.Requests.Add(1, tags);
        CitadelMetrics.RequestDuration.Record(elapsed.TotalSeconds, tags);
        if (error == KmsErrorCode.AccessDenied)
        {
            CitadelMetrics.AuthorizationDenials.Add(1, operation.Success);
        }

        if (_access.IsEnabled(LogLevel.Information))
        {
            // Names and codes only: never the body, the encryption context or a credential.
            _access.AccessLogged(
                operation.Operation,
                aborted ? ClientClosedRequestStatus : status,
                aborted ? ClientClosedRequest : error is { } failed ? WireErrors.ToWire(failed).Type : "-",
                Math.Round(elapsed.TotalMilliseconds, 3),
                principalArn ?? "-",
                keyArn ?? "-",
                requestId);
        }
    }
}
