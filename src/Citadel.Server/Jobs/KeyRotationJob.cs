using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// Rotates keys whose automatic rotation is due. Runs at start, so a server that was down when a
/// rotation was due does it then; each rotation is one transaction.
/// </summary>
internal sealed class KeyRotationJob(KmsRuntime kms, IJobLock jobLock, AuditWriter audit, TimeProvider wallClock, ILogger<KeyRotationJob> logger)
    : ClockJob(kms.Options.JobInterval, jobLock, wallClock, logger)
{
    protected override async Task<int> RunRoundAsync(CancellationToken ct)
    {
        var rotated = 0;
        while (true)
        {
            var due = await kms.Store.ListKeysDueForRotationAsync(kms.Time.GetUtcNow(), 100, ct);
            var rotatedThisRound = 0;
            foreach (var key in due)
            {
                var result = await KeyRotator.RotateAsync(kms, key, automatic: true, ct);
                if (result.IsSuccess && result.Value.CurrentMaterialVersion > key.CurrentMaterialVersion)
                {
                    logger.KeyRotated(result.Value.Arn, result.Value.CurrentMaterialVersion);
                    await audit.RecordAsync(ServiceEvents.For("RotateKey", result.Value, WallClock.GetUtcNow()));
                    rotated++;
                    rotatedThisRound++;
                }
            }

            if (rotatedThisRound == 0)
            {
                return rotated;
            }
        }
    }
}
