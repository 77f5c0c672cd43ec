using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>DeleteImportedKeyMaterial's response: the key and the material deleted.</summary>
internal readonly record struct DeleteImportedKeyMaterialResponse(string KeyId, string KeyMaterialId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, KeyId);
        json.WriteString("KeyMaterialId"u8, KeyMaterialId);
        json.WriteEndObject();
    }
}
