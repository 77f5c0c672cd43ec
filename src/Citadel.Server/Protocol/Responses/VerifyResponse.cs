using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>Verify's response to a valid signature (an invalid one is KMSInvalidSignatureException).</summary>
internal readonly record struct VerifyResponse(string KeyId, string SigningAlgorithm) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, KeyId);
        json.WriteBoolean("SignatureValid"u8, true);
        json.WriteString("SigningAlgorithm"u8, SigningAlgorithm);
        json.WriteEndObject();
    }
}
