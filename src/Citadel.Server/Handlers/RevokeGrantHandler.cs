using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Core.Grants;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>RevokeGrant: deletes a grant, by whoever the key's policies allow kms:RevokeGrant.</summary>
internal static class RevokeGrantHandler
{
    public static KmsError? Check(Caller caller, RevokeGrantRequest r, KeyRecord? key) =>
        GrantTokens.IsGrantId(r.GrantId) ? null : new KmsError(KmsErrorCode.InvalidGrantId, $"Invalid grant ID {r.GrantId}");

    public static async ValueTask<Result<EmptyResponse>> RevokeGrantAsync(KmsRuntime kms, RevokeGrantRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        var outcome = await kms.Grants.DeleteAsync(key.Id, r.GrantId!, ct);
        return EmptyResponse.Unless(outcome == StoreOutcome.Success ? null : new KmsError(KmsErrorCode.NotFound, $"Grant {r.GrantId} does not exist"));
    }
}
