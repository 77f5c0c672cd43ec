using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ListResourceTags' response: a page of the key's tags.</summary>
internal readonly record struct ListResourceTagsResponse(IReadOnlyList<Tag> Tags, string? NextMarker) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("Tags"u8);
        foreach (var tag in Tags)
        {
            json.WriteStartObject();
            json.WriteString("TagKey"u8, tag.Key);
            json.WriteString("TagValue"u8, tag.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        Paging.Write(json, NextMarker);
        json.WriteEndObject();
    }
}
