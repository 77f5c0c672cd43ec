using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>DeleteAlias: removes the alias; the key is not affected.</summary>
internal static class DeleteAliasHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, AliasRequest r)
    {
        if (AliasSteps.CheckName(r.AliasName!) is { } nameError)
        {
            return nameError;
        }

        var account = ctx.Principal.AccountId;
        var aliasArn = Arns.Alias(ctx.Region, account, r.AliasName!);
        var alias = await ctx.Kms.Store.GetAliasAsync(account, ctx.Region, r.AliasName!, ctx.Aborted);
        if (alias is null)
        {
            return Errors.AliasNotFound(aliasArn);
        }

        if (await ctx.Kms.Keys.GetAsync(alias.TargetKeyId, ctx.Aborted) is { } key)
        {
            ctx.ResourceKey = key;
            if (await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx, key, ctx.Operation.Action) is { } deniedOnKey)
            {
                return deniedOnKey;
            }
        }

        if (await ctx.Kms.Authorizer.AuthorizeIdentityAsync(ctx, ctx.Operation.Action, aliasArn) is { } denied)
        {
            return denied;
        }

        var outcome = await ctx.Kms.Store.DeleteAliasAsync(account, ctx.Region, r.AliasName!, ctx.Aborted);
        ctx.Kms.Keys.ForgetAlias(account, ctx.Region, r.AliasName!);
        return outcome == StoreOutcome.Success ? null : Errors.AliasNotFound(aliasArn);
    }
}
