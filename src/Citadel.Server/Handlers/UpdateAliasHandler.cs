using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>UpdateAlias: points an existing alias at another key of the same type and usage.</summary>
internal static class UpdateAliasHandler
{
    /// <summary>The new target must have the key type and usage of the key the alias points at now (the pipeline's second key).</summary>
    public static KmsError? Check(RequestContext ctx, AliasRequest r, KeyRecord? target) =>
        ctx.SecondKey is { } previous && (previous.Spec != target!.Spec || previous.Usage != target.Usage)
            ? Errors.Validation($"{AliasSteps.AliasArn(ctx, r)} points to a key of type {Core.WireNames.Of(previous.Spec)} with usage {Core.WireNames.Of(previous.Usage)}; the new target must have the same key type and usage.")
            : null;

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, AliasRequest r, KeyRecord? target)
    {
        var account = ctx.Principal.AccountId;
        var outcome = await ctx.Kms.Aliases.UpdateAsync(account, ctx.Region, r.AliasName!, target!.Id, ctx.Kms.Time.GetUtcNow(), ctx.Aborted);
        return outcome == StoreOutcome.Success ? null : Errors.AliasNotFound(AliasSteps.AliasArn(ctx, r));
    }
}
