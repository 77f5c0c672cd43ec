using System.Text.Json;
using Citadel.Core.Grants;

namespace Citadel.Server.Protocol.Responses;

/// <summary>
/// The response of ListGrants and ListRetirableGrants: a page of grants, each with the ARN of its key
/// (<paramref name="KeyArnOf"/>), and the marker of the next.
/// </summary>
internal readonly record struct ListGrantsResponse(IReadOnlyList<GrantRecord> Grants, Func<GrantRecord, string> KeyArnOf, string? NextMarker) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        WriteGrants(json, Grants, KeyArnOf);
        Paging.Write(json, NextMarker);
        json.WriteEndObject();
    }

    private static void WriteGrants(Utf8JsonWriter json, IReadOnlyList<GrantRecord> grants, Func<GrantRecord, string> keyArnOf)
    {
        json.WriteStartArray("Grants"u8);
        foreach (var grant in grants)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, keyArnOf(grant));
            json.WriteString("GrantId"u8, grant.GrantId);
            if (grant.Name.Length > 0)
            {
                json.WriteString("Name"u8, grant.Name);
            }

            json.WriteEpochSeconds("CreationDate"u8, grant.CreatedAt);
            json.WriteString("GranteePrincipal"u8, grant.GranteePrincipal);
            if (grant.RetiringPrincipal is not null)
            {
                json.WriteString("RetiringPrincipal"u8, grant.RetiringPrincipal);
            }

            json.WriteString("IssuingAccount"u8, $"arn:aws:iam::{grant.IssuingAccount}:root");
            json.WriteStartArray("Operations"u8);
            foreach (var operation in grant.Operations)
            {
                json.WriteStringValue(operation);
            }

            json.WriteEndArray();
            if (grant.Constraints is { } constraints)
            {
                json.WriteStartObject("Constraints"u8);
                WriteMap(json, "EncryptionContextSubset"u8, constraints.EncryptionContextSubset);
                WriteMap(json, "EncryptionContextEquals"u8, constraints.EncryptionContextEquals);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteMap(Utf8JsonWriter json, ReadOnlySpan<byte> name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            return;
        }

        json.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }
}
