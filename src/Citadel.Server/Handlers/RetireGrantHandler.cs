using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>
/// RetireGrant: by grant token, or by key and grant id (<see cref="KeyLocators.RetiredGrantAsync"/>). Allowed to the
/// grant's retiring principal, to its grantee when the grant includes RetireGrant, and to the account that created it
/// (<see cref="Authorization.GrantRetirement"/>).
/// </summary>
internal static class RetireGrantHandler
{
    public static async ValueTask<Result<EmptyResponse>> RetireGrantAsync(KmsRuntime kms, RetireGrantRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var grantId = KeyLocators.RetiredGrantId(r);
        var outcome = await kms.Grants.DeleteAsync(key!.Id, grantId, ct);
        return EmptyResponse.Unless(outcome == StoreOutcome.Success ? null : new KmsError(KmsErrorCode.NotFound, $"Grant {grantId} does not exist"));
    }
}
