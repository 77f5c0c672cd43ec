using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// RotateKeyOnDemand of a key with imported material (origin EXTERNAL): the material imported with
/// NEW_KEY_MATERIAL (PENDING_ROTATION) becomes current. Nothing is generated. A multi-Region primary rotates only once
/// every replica holds that material, and its replicas then follow it.
/// </summary>
internal static class ImportedKeyRotation
{
    public static async ValueTask<Result<KeyIdResponse>> RotateAsync(KmsRuntime kms, Caller caller, KeyRecord key, CancellationToken ct)
    {
        if (key.IsReplica)
        {
            return KeyRotationRules.CheckRotatable(key)!.Value;
        }

        if (await MultiRegionKeys.CheckImportedRotationAsync(kms, key, ct) is { } replicasLack)
        {
            return replicasLack;
        }

        var now = kms.Time.GetUtcNow();
        var rotated = await kms.Keys.UpdateMaterialsAsync(
            key,
            (current, versions) =>
            {
                var done = versions.Count(m => m.Origin == MaterialOrigin.OnDemandRotation && m.Version <= current.CurrentMaterialVersion);
                return done >= KeyRotationRules.MaxOnDemandRotations
                    ? new KmsError(KmsErrorCode.LimitExceeded, $"{current.Arn} has reached the limit of {KeyRotationRules.MaxOnDemandRotations} on-demand rotations.")
                    : ImportRules.Rotate(current, versions, now);
            },
            ct);
        if (!rotated.IsSuccess)
        {
            return rotated.Error.Value;
        }

        caller.ResourceKey = rotated.Value.Key;
        await MultiRegionKeys.SyncReplicasAsync(kms, rotated.Value.Key, ct);
        return new KeyIdResponse(key.Arn);
    }
}
