using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Handlers;

/// <summary>
/// RotateKeyOnDemand of a key with imported material (origin EXTERNAL): the material imported with
/// NEW_KEY_MATERIAL (PENDING_ROTATION) becomes current. Nothing is generated.
/// </summary>
internal static class ImportedKeyRotation
{
    public static async ValueTask<KmsError?> RotateAsync(RequestContext ctx, KeyRecord key)
    {
        var now = ctx.Kms.Time.GetUtcNow();
        var rotated = await ctx.Kms.Keys.UpdateMaterialsAsync(
            key,
            (current, versions) =>
            {
                var done = versions.Count(m => m.Origin == MaterialOrigin.OnDemandRotation && m.Version <= current.CurrentMaterialVersion);
                return done >= KeyRotationRules.MaxOnDemandRotations
                    ? new KmsError(KmsErrorCode.LimitExceeded, $"{current.Arn} has reached the limit of {KeyRotationRules.MaxOnDemandRotations} on-demand rotations.")
                    : ImportRules.Rotate(current, versions, now);
            },
            ctx.Aborted);
        if (!rotated.IsSuccess)
        {
            return rotated.Error;
        }

        ctx.ResourceKey = rotated.Value.Key;
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Arn);
        json.WriteEndObject();
        return null;
    }
}
