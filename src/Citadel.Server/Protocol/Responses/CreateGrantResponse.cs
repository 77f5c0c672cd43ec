using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>CreateGrant's response: the grant's token and id.</summary>
internal readonly record struct CreateGrantResponse(string GrantToken, string GrantId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("GrantToken"u8, GrantToken);
        json.WriteString("GrantId"u8, GrantId);
        json.WriteEndObject();
    }
}
