using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>PutKeyPolicy: replaces the key policy after the size, syntax, principal and lockout checks.</summary>
internal static class PutKeyPolicyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, PutKeyPolicyRequest r)
    {
        ctx.Facts.BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck ?? false;
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if ((KeyPolicySteps.CheckPolicyName(r.PolicyName) ?? KeyStateRules.CheckManageable(key.Value)) is { } refused)
        {
            return refused;
        }

        if (await KeyPolicies.CheckAsync(ctx, r.Policy!, r.BypassPolicyLockoutSafetyCheck == true, key.Value.Arn, key.Value.AccountId) is { } invalid)
        {
            return invalid;
        }

        var policy = r.Policy!;
        return (await ctx.Kms.Keys.UpdateAsync(key.Value, k => k.Policy == policy ? k : k with { Policy = policy }, null, ctx.Aborted)).Error;
    }
}
