using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ListKeyPolicies: always the one policy, "default".</summary>
internal static class ListKeyPoliciesHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListKeyPoliciesRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("PolicyNames"u8);
        json.WriteStringValue(KeyPolicySteps.DefaultName);
        json.WriteEndArray();
        json.WriteBoolean("Truncated"u8, false);
        json.WriteEndObject();
        return null;
    }
}
