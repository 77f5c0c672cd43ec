using Citadel.Core.Keys;
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
    protected override Task<int> RunRoundAsync(CancellationToken ct) =>
        WorkOffAsync<KeyRecord>(kms.Time, (now, token) => kms.Store.ListKeysDueForRotationAsync(now, 100, token), RotateAsync, ct);

    private async Task<bool> RotateAsync(KeyRecord key, DateTimeOffset now, CancellationToken ct)
    {
        var result = await KeyRotator.RotateAsync(kms, key, automatic: true, ct);
        if (!result.IsSuccess || result.Value.CurrentMaterialVersion <= key.CurrentMaterialVersion)
        {
            return false;
        }

        logger.KeyRotated(result.Value.Arn, result.Value.CurrentMaterialVersion);
        await audit.RecordAsync(ServiceEvents.For("RotateKey", result.Value, WallClock.GetUtcNow()));
        return true;
    }
}
