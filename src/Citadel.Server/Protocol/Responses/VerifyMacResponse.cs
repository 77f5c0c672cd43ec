using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>VerifyMac's response to a matching MAC (a mismatch is KMSInvalidMacException).</summary>
internal readonly record struct VerifyMacResponse(string KeyId, string MacAlgorithm) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, KeyId);
        json.WriteBoolean("MacValid"u8, true);
        json.WriteString("MacAlgorithm"u8, MacAlgorithm);
        json.WriteEndObject();
    }
}
