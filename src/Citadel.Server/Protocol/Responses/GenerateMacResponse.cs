using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GenerateMac's response.</summary>
internal readonly record struct GenerateMacResponse(byte[] Mac, string MacAlgorithm, string KeyId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteBase64String("Mac"u8, Mac);
        json.WriteString("MacAlgorithm"u8, MacAlgorithm);
        json.WriteString("KeyId"u8, KeyId);
        json.WriteEndObject();
    }
}
