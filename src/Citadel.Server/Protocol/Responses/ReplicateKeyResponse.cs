using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ReplicateKey's response: the replica's KeyMetadata, its policy and its tags.</summary>
internal readonly record struct ReplicateKeyResponse(KeyRecord Replica, IReadOnlyList<Tag> Tags) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WritePropertyName("ReplicaKeyMetadata"u8);
        KeyMetadataWriter.Write(json, Replica);
        json.WriteString("ReplicaPolicy"u8, Replica.Policy);
        json.WriteStartArray("ReplicaTags"u8);
        foreach (var tag in Tags)
        {
            json.WriteStartObject();
            json.WriteString("TagKey"u8, tag.Key);
            json.WriteString("TagValue"u8, tag.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
