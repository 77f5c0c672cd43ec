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

    /// <summary>
    /// The event AWS records when it copies a multi-Region primary key's shared properties to its replicas: an AwsApiCall
    /// invoked by "AWS Internal", no request parameters, the primary's ARN as responseElements.keyId and as the resource.
    /// </summary>
    public static AuditEvent Synchronized(KeyRecord primary, DateTimeOffset time)
    {
        var e = For("SynchronizeMultiRegionKey", primary, time);
        e.EventType = "AwsApiCall";
        e.InvokedBy = InternalCaller;
        e.AdditionalEventData = null;
        e.ResponseElements = $$"""{"keyId":"{{primary.Arn}}"}""";
        return e;
    }

    /// <summary>What CloudTrail shows as the caller, source address and user agent of the service's internal calls.</summary>
    public const string InternalCaller = "AWS Internal";
}
