using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ListAliases' response: a page of aliases by name; a predefined alias/aws/&lt;service&gt; has no target until its AWS managed key exists.</summary>
internal readonly record struct ListAliasesResponse(IReadOnlyList<(string Name, string Arn, AliasRecord? Alias)> Aliases, string? NextMarker) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("Aliases"u8);
        foreach (var (name, arn, alias) in Aliases)
        {
            json.WriteStartObject();
            json.WriteString("AliasName"u8, name);
            json.WriteString("AliasArn"u8, arn);
            if (alias is not null)
            {
                json.WriteString("TargetKeyId"u8, alias.TargetKeyId.ToString());
                json.WriteEpochSeconds("CreationDate"u8, alias.CreatedAt);
                json.WriteEpochSeconds("LastUpdatedDate"u8, alias.LastUpdatedAt);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        Paging.Write(json, NextMarker);
        json.WriteEndObject();
    }
}
