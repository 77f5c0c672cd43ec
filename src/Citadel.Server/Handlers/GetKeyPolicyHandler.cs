using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GetKeyPolicy: the key policy document, as stored.</summary>
internal static class GetKeyPolicyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GetKeyPolicyRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        if (KeyPolicySteps.CheckPolicyName(r.PolicyName) is { } notFound)
        {
            return notFound;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("Policy"u8, key.Policy);
        json.WriteString("PolicyName"u8, KeyPolicySteps.DefaultName);
        json.WriteEndObject();
        return null;
    }
}
