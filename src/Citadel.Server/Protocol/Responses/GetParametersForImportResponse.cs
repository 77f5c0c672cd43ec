using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GetParametersForImport's response: the sealed import token and the wrapping public key.</summary>
internal readonly record struct GetParametersForImportResponse(string KeyId, byte[] ImportToken, byte[] PublicKey, DateTimeOffset ParametersValidTo) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, KeyId);
        json.WriteBase64String("ImportToken"u8, ImportToken);
        json.WriteBase64String("PublicKey"u8, PublicKey);
        json.WriteEpochSeconds("ParametersValidTo"u8, ParametersValidTo);
        json.WriteEndObject();
    }
}
