using System.Text.Json;
using Citadel.Core.Grants;
using Citadel.Server.Protocol;

namespace Citadel.Server.Handlers;

/// <summary>Output shared by the grant operations.</summary>
internal static class GrantSteps
{
    public static void WriteGrants(Utf8JsonWriter json, IEnumerable<GrantRecord> grants, Func<GrantRecord, string> keyArnOf)
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
