using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>PutKeyPolicy: replaces the key policy after the size, syntax, principal and lockout checks.</summary>
internal static class PutKeyPolicyHandler
{
    public static void Facts(RequestFacts facts, PutKeyPolicyRequest r) => facts.BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck ?? false;

    public static KmsError? BeforeState(Caller caller, PutKeyPolicyRequest r, KeyRecord? key) => KeyPolicySteps.CheckPolicyName(r.PolicyName);

    public static async ValueTask<Result<EmptyResponse>> PutKeyPolicyAsync(KmsRuntime kms, PutKeyPolicyRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        if (await KeyPolicies.CheckAsync(kms, caller, r.Policy!, r.BypassPolicyLockoutSafetyCheck == true, key.Arn, key.AccountId, ct) is { } invalid)
        {
            return invalid;
        }

        var policy = r.Policy!;
        return EmptyResponse.Unless((await kms.Keys.UpdateAsync(key, k => k.Policy == policy ? k : k with { Policy = policy }, null, ct)).Error);
    }
}
