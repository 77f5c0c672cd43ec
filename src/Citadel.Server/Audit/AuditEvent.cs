using Citadel.Core.Identity;

namespace Citadel.Server.Audit;

/// <summary>What one request (or background action) contributes to its CloudTrail record.</summary>
internal sealed class AuditEvent
{
    public required string EventName { get; init; }

    public required DateTimeOffset EventTime { get; init; }

    public required string EventId { get; init; }

    public string EventSource { get; init; } = "kms.amazonaws.com";

    public string EventType { get; init; } = "AwsApiCall";

    public Principal? Principal { get; init; }

    public string? AccessKeyId { get; init; }

    /// <summary>The integrated service that made the request for the principal (userIdentity.invokedBy).</summary>
    public string? InvokedBy { get; init; }

    /// <summary>The account the event belongs to (CloudTrail's recipientAccountId).</summary>
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public string? SourceIp { get; init; }

    public string? UserAgent { get; init; }

    public string? RequestId { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>requestParameters as JSON (already stripped of secrets), or null.</summary>
    public string? RequestParameters { get; init; }

    /// <summary>responseElements as JSON (already stripped of secrets), or null.</summary>
    public string? ResponseElements { get; init; }

    /// <summary>additionalEventData as JSON, or null.</summary>
    public string? AdditionalEventData { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ResourceArn { get; init; }

    public string? ResourceAccountId { get; init; }

    /// <summary>The name CloudTrail's Username lookup attribute matches: the IAM user or role name, or "root".</summary>
    public string? Username => Principal?.Type switch
    {
        PrincipalType.Root => "root",
        PrincipalType.IamUser or PrincipalType.AssumedRole => Principal.Arn[(Principal.Arn.LastIndexOf('/') + 1)..],
        _ => null,
    };
}
