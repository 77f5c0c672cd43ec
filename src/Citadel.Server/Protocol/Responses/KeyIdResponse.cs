using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>A response that names only the key (CancelKeyDeletion): its ARN.</summary>
internal readonly record struct KeyIdResponse(string KeyId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, KeyId);
        json.WriteEndObject();
    }
}
