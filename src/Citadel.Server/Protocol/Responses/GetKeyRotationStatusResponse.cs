using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GetKeyRotationStatus's response, from the key.</summary>
internal readonly record struct GetKeyRotationStatusResponse(KeyRecord Key) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteBoolean("KeyRotationEnabled"u8, Key.RotationEnabled);
        json.WriteString("KeyId"u8, Key.Arn);
        if (Key.RotationEnabled && Key.RotationPeriodInDays is { } period && Key.NextRotationAt is { } next)
        {
            json.WriteNumber("RotationPeriodInDays"u8, period);
            json.WriteEpochSeconds("NextRotationDate"u8, next);
        }

        json.WriteEndObject();
    }
}
