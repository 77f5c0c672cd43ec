using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>ListKeyPolicies: always the one policy, "default".</summary>
internal static class ListKeyPoliciesHandler
{
    public static ValueTask<Result<ListKeyPoliciesResponse>> ListKeyPoliciesAsync(KmsRuntime kms, ListKeyPoliciesRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        return ValueTask.FromResult<Result<ListKeyPoliciesResponse>>(new ListKeyPoliciesResponse(KeyPolicySteps.DefaultName));
    }
}
