using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>CreateCustomKeyStore's response: the new key store's id.</summary>
internal readonly record struct CreateCustomKeyStoreResponse(string CustomKeyStoreId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("CustomKeyStoreId"u8, CustomKeyStoreId);
        json.WriteEndObject();
    }
}
