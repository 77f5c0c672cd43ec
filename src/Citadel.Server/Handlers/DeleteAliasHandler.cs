using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>DeleteAlias: removes the alias; the key is not affected.</summary>
internal static class DeleteAliasHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, AliasRequest r, KeyRecord? key)
    {
        var account = ctx.Principal.AccountId;
        var outcome = await ctx.Kms.Aliases.DeleteAsync(account, ctx.Region, r.AliasName!, ctx.Aborted);
        return outcome == StoreOutcome.Success ? null : Errors.AliasNotFound(AliasSteps.AliasArn(ctx, r));
    }
}
