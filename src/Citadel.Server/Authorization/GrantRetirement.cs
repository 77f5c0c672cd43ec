using Citadel.Core.Errors;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Authorization;

/// <summary>
/// RetireGrant's authorization: the grant itself allows its retiring principal, its grantee when it includes
/// RetireGrant, and the account that created it; a policy's explicit Deny of kms:RetireGrant still refuses
/// (developer guide, "Retiring and revoking grants").
/// </summary>
internal static class GrantRetirement
{
    public static async ValueTask<KmsError?> AuthorizeAsync(RequestContext ctx, RetireGrantRequest r, KeyRecord key)
    {
        var grant = await KeyLocators.FindGrantAsync(ctx, key.Id, KeyLocators.RetiredGrantId(r));
        if (grant is null)
        {
            return new KmsError(KmsErrorCode.NotFound, $"Grant {KeyLocators.RetiredGrantId(r)} does not exist");
        }

        var caller = ctx.Principal;
        var allowed = caller.Arn == grant.RetiringPrincipal
            || (caller.Arn == grant.GranteePrincipal && grant.Operations.Contains("RetireGrant"))
            || (caller.Type == PrincipalType.Root && caller.AccountId == grant.IssuingAccount);
        if (!allowed)
        {
            return new KmsError(
                KmsErrorCode.AccessDenied,
                $"User: {caller.Arn} is not authorized to perform: kms:RetireGrant on resource: {key.Arn} because it is neither the grant's retiring principal, nor its grantee with the RetireGrant operation, nor the account that created it");
        }

        return await ctx.Kms.Authorizer.ExplicitDenyAsync(ctx.Caller, key, ctx.Operation.Action, ctx.Aborted);
    }
}
