using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>UpdateAlias: points an existing alias at another key of the same type and usage.</summary>
internal static class UpdateAliasHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, AliasRequest r)
    {
        if (AliasSteps.CheckName(r.AliasName!) is { } nameError)
        {
            return nameError;
        }

        var account = ctx.Principal.AccountId;
        var aliasArn = Arns.Alias(ctx.Region, account, r.AliasName!);
        var current = await ctx.Kms.Store.GetAliasAsync(account, ctx.Region, r.AliasName!, ctx.Aborted);
        if (current is null)
        {
            return Errors.AliasNotFound(aliasArn);
        }

        var target = await AliasSteps.ResolveTargetAsync(ctx, r.TargetKeyId!);
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        if (await ctx.Kms.Authorizer.AuthorizeIdentityAsync(ctx, ctx.Operation.Action, aliasArn) is { } denied)
        {
            return denied;
        }

        var previous = await ctx.Kms.Keys.GetAsync(current.TargetKeyId, ctx.Aborted);
        if (previous is not null && await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx, previous, ctx.Operation.Action) is { } deniedOnPrevious)
        {
            return deniedOnPrevious;
        }

        if (previous is not null && (previous.Spec != target.Value.Spec || previous.Usage != target.Value.Usage))
        {
            return Errors.Validation($"{aliasArn} points to a key of type {Core.WireNames.Of(previous.Spec)} with usage {Core.WireNames.Of(previous.Usage)}; the new target must have the same key type and usage.");
        }

        var outcome = await ctx.Kms.Store.UpdateAliasAsync(account, ctx.Region, r.AliasName!, target.Value.Id, ctx.Kms.Time.GetUtcNow(), ctx.Aborted);
        ctx.Kms.Keys.ForgetAlias(account, ctx.Region, r.AliasName!);
        return outcome == StoreOutcome.Success ? null : Errors.AliasNotFound(aliasArn);
    }
}
