using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GetKeyRotationStatus: whether automatic rotation is on, its period and next date.</summary>
internal static class GetKeyRotationStatusHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r)
    {
        var resolved = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        if (!resolved.IsSuccess)
        {
            return resolved.Error;
        }

        var key = resolved.Value;
        if (key.State == KeyState.PendingDeletion)
        {
            return Errors.PendingDeletion(key.Arn);
        }

        if (key.Spec != KeySpec.SymmetricDefault)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} key spec is {Core.WireNames.Of(key.Spec)} which is not valid for this operation.");
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteBoolean("KeyRotationEnabled"u8, key.RotationEnabled);
        json.WriteString("KeyId"u8, key.Arn);
        if (key.RotationEnabled && key.RotationPeriodInDays is { } period && key.NextRotationAt is { } next)
        {
            json.WriteNumber("RotationPeriodInDays"u8, period);
            json.WriteEpochSeconds("NextRotationDate"u8, next);
        }

        json.WriteEndObject();
        return null;
    }
}
