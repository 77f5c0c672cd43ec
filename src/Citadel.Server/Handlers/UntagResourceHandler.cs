using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>UntagResource: removes tags by key; keys that are not there are ignored, as at AWS.</summary>
internal static class UntagResourceHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, UntagResourceRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if (KeyStateRules.CheckManageable(key.Value) is { } stateError)
        {
            return stateError;
        }

        ctx.Facts.RequestTags = r.TagKeys!.ConvertAll(k => new Core.Keys.Tag(k, ""));
        var outcome = await ctx.Kms.Keys.ChangeTagsAsync(key.Value.Id, [], r.TagKeys!, ctx.Aborted);
        return outcome == StoreOutcome.Success ? null : Errors.KeyNotFound(key.Value.Arn);
    }
}
