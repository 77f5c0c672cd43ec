using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>RevokeGrant: deletes a grant, by whoever the key's policies allow kms:RevokeGrant.</summary>
internal static class RevokeGrantHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, RevokeGrantRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if (!GrantTokens.IsGrantId(r.GrantId))
        {
            return new KmsError(KmsErrorCode.InvalidGrantId, $"Invalid grant ID {r.GrantId}");
        }

        if (Steps.DryRun(r.DryRun) is { } dryRun)
        {
            return dryRun;
        }

        var outcome = await ctx.Kms.Store.DeleteGrantAsync(key.Value.Id, r.GrantId!, ctx.Aborted);
        ctx.Kms.Authorizer.Grants.Invalidate(key.Value.Id);
        return outcome == StoreOutcome.Success ? null : new KmsError(KmsErrorCode.NotFound, $"Grant {r.GrantId} does not exist");
    }
}
