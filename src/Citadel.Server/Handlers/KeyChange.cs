using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;

namespace Citadel.Server.Handlers;

/// <summary>
/// The shape of every key-state change: a Core transition of the resolved, authorized key, in one store transaction;
/// the caller's <see cref="Caller.ResourceKey"/> becomes the key as changed (for the audit event).
/// </summary>
internal static class KeyChange
{
    public static async ValueTask<Result<KeyRecord>> ApplyAsync(KmsRuntime kms, Caller caller, KeyRecord? key, Func<KeyRecord, Result<KeyRecord>> transition, CancellationToken ct)
    {
        var changed = await kms.Keys.UpdateAsync(key!, transition, null, ct);
        if (changed.IsSuccess)
        {
            caller.ResourceKey = changed.Value;
            await MultiRegionKeys.SyncReplicasAsync(kms, changed.Value, ct);
        }

        return changed;
    }
}
