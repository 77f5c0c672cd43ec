using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>GetKeyPolicy: the key policy document, as stored.</summary>
internal static class GetKeyPolicyHandler
{
    public static ValueTask<Result<GetKeyPolicyResponse>> GetKeyPolicyAsync(KmsRuntime kms, GetKeyPolicyRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        Result<GetKeyPolicyResponse> result = KeyPolicySteps.CheckPolicyName(r.PolicyName) is { } notFound
            ? notFound
            : new GetKeyPolicyResponse(resolved!.Policy, KeyPolicySteps.DefaultName);
        return ValueTask.FromResult(result);
    }
}
