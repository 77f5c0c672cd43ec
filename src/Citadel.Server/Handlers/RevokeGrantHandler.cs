using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Core.Grants;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>RevokeGrant: deletes a grant, by whoever the key's policies allow kms:RevokeGrant.</summary>
internal static class RevokeGrantHandler
{
    public static KmsError? Check(RequestContext ctx, RevokeGrantRequest r, KeyRecord? key) =>
        GrantTokens.IsGrantId(r.GrantId) ? null : new KmsError(KmsErrorCode.InvalidGrantId, $"Invalid grant ID {r.GrantId}");

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, RevokeGrantRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        var outcome = await ctx.Kms.Grants.DeleteAsync(key.Id, r.GrantId!, ctx.Aborted);
        return outcome == StoreOutcome.Success ? null : new KmsError(KmsErrorCode.NotFound, $"Grant {r.GrantId} does not exist");
    }
}
