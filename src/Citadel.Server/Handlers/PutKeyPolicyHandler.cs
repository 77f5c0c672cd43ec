using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>PutKeyPolicy: replaces the key policy after the size, syntax, principal and lockout checks.</summary>
internal static class PutKeyPolicyHandler
{
    public static void Facts(RequestFacts facts, PutKeyPolicyRequest r) => facts.BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck ?? false;

    public static KmsError? BeforeState(RequestContext ctx, PutKeyPolicyRequest r, KeyRecord? key) => KeyPolicySteps.CheckPolicyName(r.PolicyName);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, PutKeyPolicyRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        if (await KeyPolicies.CheckAsync(ctx, r.Policy!, r.BypassPolicyLockoutSafetyCheck == true, key.Arn, key.AccountId) is { } invalid)
        {
            return invalid;
        }

        var policy = r.Policy!;
        return (await ctx.Kms.Keys.UpdateAsync(key, k => k.Policy == policy ? k : k with { Policy = policy }, null, ctx.Aborted)).Error;
    }
}
