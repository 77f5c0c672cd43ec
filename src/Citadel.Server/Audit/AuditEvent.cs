using System.Net;
using Citadel.Core.Identity;

namespace Citadel.Server.Audit;

/// <summary>
/// What one request (or background action) contributes to its CloudTrail record. A request's event
/// lives in its pooled context and is refilled for the next request (<see cref="Reset"/>).
/// </summary>
internal sealed class AuditEvent
{
    public string EventName { get; set; } = "";

    public DateTimeOffset EventTime { get; set; }

    public Guid EventId { get; set; }

    public string EventSource { get; set; } = "kms.amazonaws.com";

    public string EventType { get; set; } = "AwsApiCall";

    public Principal? Principal { get; set; }

    public string? AccessKeyId { get; set; }

    /// <summary>The integrated service that made the request for the principal (userIdentity.invokedBy).</summary>
    public string? InvokedBy { get; set; }

    /// <summary>The account the event belongs to (CloudTrail's recipientAccountId).</summary>
    public string AccountId { get; set; } = "";

    public string Region { get; set; } = "";

    public IPAddress? SourceIp { get; set; }

    public string? UserAgent { get; set; }

    public string? RequestId { get; set; }

    public bool ReadOnly { get; set; }

    /// <summary>The request body; requestParameters is written from it with the secrets left out (<see cref="ParameterFilter"/>).</summary>
    public ReadOnlyMemory<byte> RequestBody { get; set; }

    /// <summary>The response body for responseElements, filtered likewise; empty for none.</summary>
    public ReadOnlyMemory<byte> ResponseBody { get; set; }

    /// <summary>requestParameters as a JSON object already holding only what may be recorded (query-protocol calls); when null, the filtered <see cref="RequestBody"/>.</summary>
    public string? RequestParameters { get; set; }

    /// <summary>responseElements as a JSON object already holding only what may be recorded; when null, the filtered <see cref="ResponseBody"/>.</summary>
    public string? ResponseElements { get; set; }

    /// <summary>additionalEventData as JSON, or null.</summary>
    public string? AdditionalEventData { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    public string? ResourceArn { get; set; }

    public string? ResourceAccountId { get; set; }

    /// <summary>The name CloudTrail's Username lookup attribute matches: the IAM user or role name, or "root".</summary>
    public static bool TryGetUsername(Principal? principal, out ReadOnlySpan<char> username)
    {
        switch (principal?.Type)
        {
            case PrincipalType.Root:
                username = "root";
                return true;
            case PrincipalType.IamUser or PrincipalType.AssumedRole:
                username = principal.Arn.AsSpan(principal.Arn.LastIndexOf('/') + 1);
                return true;
            default:
                username = default;
                return false;
        }
    }

    /// <summary>
    /// The caller was not authenticated (an XKS proxy request whose credential, signature or client certificate was
    /// refused): userIdentity is CloudTrail's type Unknown with the access key id it claimed, if any.
    /// </summary>
    public bool Unauthenticated { get; set; }

    public void Reset()
    {
        Unauthenticated = false;
        EventSource = "kms.amazonaws.com";
        EventType = "AwsApiCall";
        Principal = null;
        AccessKeyId = null;
        InvokedBy = null;
        SourceIp = null;
        UserAgent = null;
        RequestId = null;
        RequestBody = default;
        ResponseBody = default;
        RequestParameters = null;
        ResponseElements = null;
        AdditionalEventData = null;
        ErrorCode = null;
        ErrorMessage = null;
        ResourceArn = null;
        ResourceAccountId = null;
    }
}
