using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GetKeyPolicy's response.</summary>
internal readonly record struct GetKeyPolicyResponse(string Policy, string PolicyName) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("Policy"u8, Policy);
        json.WriteString("PolicyName"u8, PolicyName);
        json.WriteEndObject();
    }
}
