using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>Sign's response.</summary>
internal readonly record struct SignResponse(string KeyId, byte[] Signature, string SigningAlgorithm) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, KeyId);
        json.WriteBase64String("Signature"u8, Signature);
        json.WriteString("SigningAlgorithm"u8, SigningAlgorithm);
        json.WriteEndObject();
    }
}
