using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ListKeyPolicies' response: a key has one policy, so one page.</summary>
internal readonly record struct ListKeyPoliciesResponse(string PolicyName) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("PolicyNames"u8);
        json.WriteStringValue(PolicyName);
        json.WriteEndArray();
        json.WriteBoolean("Truncated"u8, false);
        json.WriteEndObject();
    }
}
