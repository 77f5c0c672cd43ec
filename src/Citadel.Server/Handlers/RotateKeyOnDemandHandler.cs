using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// RotateKeyOnDemand: rotates now, whether or not automatic rotation is on, at most 25 times per
/// key. The rotation completes within the request, so it is never seen "in progress".
/// </summary>
internal static class RotateKeyOnDemandHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        if (key.Origin == KeyOrigin.External)
        {
            return await ImportedKeyRotation.RotateAsync(ctx, key);
        }

        if (KeyRotationRules.CheckRotatable(key) is { } error)
        {
            return error;
        }

        var materials = await ctx.Kms.Catalog.ListMaterialsAsync(key.Id, ctx.Aborted);
        if (materials.Count(m => m.Origin == MaterialOrigin.OnDemandRotation) >= KeyRotationRules.MaxOnDemandRotations)
        {
            return new KmsError(
                KmsErrorCode.LimitExceeded,
                $"{key.Arn} has reached the limit of {KeyRotationRules.MaxOnDemandRotations} on-demand rotations.");
        }

        var rotated = await KeyRotator.RotateAsync(ctx.Kms, key, automatic: false, ctx.Aborted);
        if (!rotated.IsSuccess)
        {
            return rotated.Error;
        }

        ctx.ResourceKey = rotated.Value;
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, rotated.Value.Arn);
        json.WriteEndObject();
        return null;
    }
}
