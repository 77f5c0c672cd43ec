using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>CreateAlias: a new name in the caller's account and region for one of its keys.</summary>
internal static class CreateAliasHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, AliasRequest r, KeyRecord? target)
    {
        var now = ctx.Kms.Time.GetUtcNow();
        var alias = new AliasRecord(ctx.Principal.AccountId, ctx.Region, r.AliasName!, target!.Id, now, now);
        var outcome = await ctx.Kms.Aliases.CreateAsync(alias, ctx.Aborted);
        return outcome switch
        {
            StoreOutcome.Success => null,
            StoreOutcome.AlreadyExists => new KmsError(KmsErrorCode.AlreadyExists, $"An alias with the name {alias.Arn} already exists"),
            _ => Errors.KeyNotFound(target.Arn),
        };
    }
}
