using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// Deletes imported key material whose ValidTo has passed, as AWS does ("Setting an expiration
/// time"): the key goes to PendingImport until the same material is imported again. Driven by the
/// key clock (<see cref="KmsRuntime.Time"/>); each deletion is recorded as the service event
/// DeleteExpiredKeyMaterial. Runs at start too, so a server that was down catches up.
/// </summary>
internal sealed class ImportExpiryJob(KmsRuntime kms, IJobLock jobLock, AuditWriter audit, TimeProvider wallClock, ILogger<ImportExpiryJob> logger)
    : ClockJob(kms.Options.JobInterval, jobLock, wallClock, logger)
{
    protected override Task<int> RunRoundAsync(CancellationToken ct) =>
        WorkOffAsync<KeyMaterialRecord>(kms.Time, (now, token) => kms.Store.ListMaterialsDueForExpiryAsync(now, 100, token), ExpireAsync, ct);

    private async Task<bool> ExpireAsync(KeyMaterialRecord material, DateTimeOffset now, CancellationToken ct)
    {
        var key = await kms.Keys.GetAsync(material.KeyId, ct);
        if (key is null)
        {
            return false;
        }

        // Decided again on fresh data: a concurrent re-import may have moved ValidTo.
        var changed = await kms.Keys.UpdateMaterialsAsync(
            key,
            (current, versions) => versions.FirstOrDefault(m => m.Version == material.Version) is { ImportState: MaterialImportState.Imported, ValidTo: { } validTo } version && validTo <= now
                ? ImportRules.Delete(current, versions, version.MaterialId)
                : new MaterialChange(current, [], [], ""),
            ct);
        if (!changed.IsSuccess || changed.Value.MaterialId.Length == 0)
        {
            return false;
        }

        logger.KeyMaterialExpired(key.Arn, changed.Value.MaterialId);
        await audit.RecordAsync(ServiceEvents.For("DeleteExpiredKeyMaterial", changed.Value.Key, WallClock.GetUtcNow()));
        return true;
    }
}
