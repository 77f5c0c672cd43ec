using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GetKeyPolicy: the key policy document, as stored.</summary>
internal static class GetKeyPolicyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GetKeyPolicyRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if (KeyPolicySteps.CheckPolicyName(r.PolicyName) is { } notFound)
        {
            return notFound;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("Policy"u8, key.Value.Policy);
        json.WriteString("PolicyName"u8, KeyPolicySteps.DefaultName);
        json.WriteEndObject();
        return null;
    }
}
