using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// RotateKeyOnDemand: rotates now, whether or not automatic rotation is on, at most 25 times per
/// key. The rotation completes within the request, so it is never seen "in progress".
/// </summary>
internal static class RotateKeyOnDemandHandler
{
    public static async ValueTask<Result<KeyIdResponse>> RotateKeyOnDemandAsync(KmsRuntime kms, KeyIdRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        if (key.Origin == KeyOrigin.External)
        {
            return await ImportedKeyRotation.RotateAsync(kms, caller, key, ct);
        }

        if (KeyRotationRules.CheckRotatable(key) is { } error)
        {
            return error;
        }

        var materials = await kms.Catalog.ListMaterialsAsync(key.Id, ct);
        if (materials.Count(m => m.Origin == MaterialOrigin.OnDemandRotation) >= KeyRotationRules.MaxOnDemandRotations)
        {
            return new KmsError(
                KmsErrorCode.LimitExceeded,
                $"{key.Arn} has reached the limit of {KeyRotationRules.MaxOnDemandRotations} on-demand rotations.");
        }

        var rotated = await KeyRotator.RotateAsync(kms, key, automatic: false, ct);
        if (!rotated.IsSuccess)
        {
            return rotated.Error.Value;
        }

        caller.ResourceKey = rotated.Value;
        return new KeyIdResponse(rotated.Value.Arn);
    }
}
