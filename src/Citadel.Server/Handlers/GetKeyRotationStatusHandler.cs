using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GetKeyRotationStatus: whether automatic rotation is on, its period and next date.</summary>
internal static class GetKeyRotationStatusHandler
{
    public static KmsError? Check(Caller caller, KeyIdRequest r, KeyRecord? key) => Steps.CheckRotatableSpec(key!);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

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
