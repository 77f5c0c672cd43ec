using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// Ends the transient states of multi-Region keys when their time comes (<see cref="MultiRegionKeys.TransitionTime"/>):
/// a new replica Creating → Enabled (PendingImport for imported material), recorded in the replica's Region as the
/// CreateKey event of the service; the two keys of an UpdatePrimaryRegion Updating → Enabled, the new primary's recorded
/// in its Region as the UpdatePrimaryRegion event of the service.
/// </summary>
internal sealed class MultiRegionKeyJob(KmsRuntime kms, IJobLock jobLock, AuditWriter audit, TimeProvider wallClock, ILogger<MultiRegionKeyJob> logger)
    : ClockJob(kms.Options.JobInterval, jobLock, wallClock, logger)
{
    protected override Task<int> RunRoundAsync(CancellationToken ct) =>
        WorkOffAsync<KeyRecord>(kms.Time, (now, token) => kms.Store.ListKeysDueForTransitionAsync(now, 100, token), CompleteAsync, ct);

    private async Task<bool> CompleteAsync(KeyRecord key, DateTimeOffset now, CancellationToken ct)
    {
        if (await MultiRegionKeys.CompleteTransitionAsync(kms, key, now, ct) is not { } done)
        {
            return false;
        }

        if (key.State == KeyState.Creating)
        {
            await audit.RecordAsync(ServiceEvents.For("CreateKey", done, WallClock.GetUtcNow()));
        }
        else if (done.IsPrimary)
        {
            await audit.RecordAsync(ServiceEvents.For("UpdatePrimaryRegion", done, WallClock.GetUtcNow()));
        }

        return true;
    }
}
