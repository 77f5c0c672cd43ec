using Citadel.Core.Keys;

namespace Citadel.Server.Audit;

/// <summary>
/// Events of KMS's own background actions (scheduled deletion, automatic rotation, expiry), which
/// CloudTrail records as AwsServiceEvent with the key in additionalEventData.
/// </summary>
internal static class ServiceEvents
{
    public static AuditEvent For(string eventName, KeyRecord key, DateTimeOffset time) => new()
    {
        EventName = eventName,
        EventTime = time,
        EventId = Guid.CreateVersion7(time),
        EventType = "AwsServiceEvent",
        AccountId = key.AccountId,
        Region = key.Region,
        ReadOnly = false,
        AdditionalEventData = $$"""{"keyId":"{{key.Arn}}"}""",
        ResourceArn = key.Arn,
        ResourceAccountId = key.AccountId,
    };
}
