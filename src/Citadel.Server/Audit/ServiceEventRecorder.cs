using Citadel.Core.Keys;

namespace Citadel.Server.Audit;

/// <summary>Records, from the request path, an event of the service's own that a request sets off (the wall clock dates it, as every event).</summary>
internal sealed class ServiceEventRecorder(AuditWriter writer, TimeProvider wallClock)
{
    /// <summary>
    /// SynchronizeMultiRegionKey: the shared properties of <paramref name="primary"/> copied to its replicas, recorded in the
    /// primary's Region with the primary's ARN as its resource, as an internal call of the service (developer guide,
    /// "SynchronizeMultiRegionKey" under "Logging with AWS CloudTrail").
    /// </summary>
    public ValueTask SynchronizedAsync(KeyRecord primary) => writer.RecordAsync(ServiceEvents.Synchronized(primary, wallClock.GetUtcNow()));
}
