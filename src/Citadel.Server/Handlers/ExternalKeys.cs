using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;

namespace Citadel.Server.Handlers;

/// <summary>Keys with origin EXTERNAL: their way out of PendingDeletion depends on their imported material.</summary>
internal static class ExternalKeys
{
    /// <summary>CancelKeyDeletion: Disabled, as for every key, or PendingImport when imported material is missing.</summary>
    public static async ValueTask<Result<KeyRecord>> CancelDeletionAsync(KmsRuntime kms, KeyRecord key, CancellationToken ct)
    {
        var changed = await kms.Keys.UpdateMaterialsAsync(
            key,
            (current, versions) =>
            {
                var cancelled = KeyStateRules.CancelDeletion(current);
                return cancelled.IsSuccess
                    ? new MaterialChange(ImportRules.Settle(cancelled.Value, versions), [], [], "")
                    : cancelled.Error.Value;
            },
            ct);
        return changed.IsSuccess ? changed.Value.Key : changed.Error.Value;
    }
}
