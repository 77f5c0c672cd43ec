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
    protected override async Task<int> RunRoundAsync(CancellationToken ct)
    {
        var deleted = 0;
        while (true)
        {
            var due = await kms.Store.ListKeysDueForDeletionAsync(kms.Time.GetUtcNow(), 100, ct);
            if (due.Count == 0)
            {
                return deleted;
            }

            var deletedThisRound = 0;
            foreach (var key in due)
            {
                // A concurrent CancelKeyDeletion changes the row version, and then this delete does nothing.
                if (await kms.Keys.DeleteAsync(key, ct) == StoreOutcome.Success)
                {
                    logger.KeyDeleted(key.Arn);
                    await audit.RecordAsync(ServiceEvents.For("DeleteKey", key, WallClock.GetUtcNow()));
                    deleted++;
                    deletedThisRound++;
                }
            }

            if (deletedThisRound == 0)
            {
                return deleted;
            }
        }
    }
}
