using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ListKeys' response: a page of keys (id and ARN).</summary>
internal readonly record struct ListKeysResponse(IReadOnlyList<KeyRecord> Keys, string? NextMarker) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("Keys"u8);
        foreach (var key in Keys)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Id.ToString());
            json.WriteString("KeyArn"u8, key.Arn);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Paging.Write(json, NextMarker);
        json.WriteEndObject();
    }
}
