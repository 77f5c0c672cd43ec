using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>
/// RetireGrant: by grant token, or by key and grant id. Allowed to the grant's retiring principal,
/// to its grantee when the grant includes RetireGrant, and to the account that created it.
/// </summary>
internal static class RetireGrantHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, RetireGrantRequest r)
    {
        KeyId keyId;
        string grantId;
        if (r.GrantToken is not null)
        {
            if (!GrantTokens.TryParse(r.GrantToken, out keyId, out grantId))
            {
                return new KmsError(KmsErrorCode.InvalidGrantToken, "Invalid grant token.");
            }
        }
        else if (r.KeyId is not null && r.GrantId is not null)
        {
            var resolved = await KeyResolver.ResolveAsync(ctx, r.KeyId, allowAlias: false);
            if (!resolved.IsSuccess)
            {
                return resolved.Error;
            }

            keyId = resolved.Value.Id;
            grantId = r.GrantId;
            if (!GrantTokens.IsGrantId(grantId))
            {
                return new KmsError(KmsErrorCode.InvalidGrantId, $"Invalid grant ID {grantId}");
            }
        }
        else
        {
            return Errors.Validation("Either GrantToken, or both KeyId and GrantId, must be specified.");
        }

        var key = await ctx.Kms.Keys.GetAsync(keyId, ctx.Aborted);
        var grant = key is null ? null : (await ctx.Kms.Store.ListGrantsAsync(keyId, ctx.Aborted)).FirstOrDefault(g => g.GrantId == grantId);
        if (key is null || grant is null)
        {
            return new KmsError(KmsErrorCode.NotFound, $"Grant {grantId} does not exist");
        }

        ctx.ResourceKey = key;
        var caller = ctx.Principal;
        var allowed = caller.Arn == grant.RetiringPrincipal
            || (caller.Arn == grant.GranteePrincipal && grant.Operations.Contains("RetireGrant"))
            || (caller.Type == Core.Identity.PrincipalType.Root && caller.AccountId == grant.IssuingAccount);
        if (!allowed)
        {
            return new KmsError(
                KmsErrorCode.AccessDenied,
                $"User: {caller.Arn} is not authorized to perform: kms:RetireGrant on resource: {key.Arn} because it is neither the grant's retiring principal, nor its grantee with the RetireGrant operation, nor the account that created it");
        }

        if ((await ctx.Kms.Authorizer.ExplicitDenyAsync(ctx, key, ctx.Operation.Action) ?? Steps.DryRun(r.DryRun)) is { } refused)
        {
            return refused;
        }

        var outcome = await ctx.Kms.Store.DeleteGrantAsync(keyId, grantId, ctx.Aborted);
        ctx.Kms.Authorizer.Grants.Invalidate(keyId);
        return outcome == StoreOutcome.Success ? null : new KmsError(KmsErrorCode.NotFound, $"Grant {grantId} does not exist");
    }
}
