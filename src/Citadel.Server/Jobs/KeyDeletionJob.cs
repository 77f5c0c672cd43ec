using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// Deletes keys whose waiting period has ended: key, material, aliases and tags in one
/// transaction. Runs at start too, so a server that was down when a deletion was due catches up.
/// </summary>
internal sealed class KeyDeletionJob(KmsRuntime kms, IJobLock jobLock, AuditWriter audit, TimeProvider wallClock, ILogger<KeyDeletionJob> logger)
    : ClockJob(kms.Options.JobInterval, jobLock, wallClock, logger)
{
    protected override Task<int> RunRoundAsync(CancellationToken ct) =>
        WorkOffAsync<KeyRecord>(kms.Time, (now, token) => kms.Store.ListKeysDueForDeletionAsync(now, 100, token), DeleteAsync, ct);

    private async Task<bool> DeleteAsync(KeyRecord key, DateTimeOffset now, CancellationToken ct)
    {
        // A concurrent CancelKeyDeletion changes the row version, and then this delete does nothing.
        if (await MultiRegionKeys.DeleteAsync(kms, key, now, ct) != StoreOutcome.Success)
        {
            return false;
        }

        logger.KeyDeleted(key.Arn);
        await audit.RecordAsync(ServiceEvents.For("DeleteKey", key, WallClock.GetUtcNow()));
        return true;
    }
}
