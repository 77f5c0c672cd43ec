using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Handlers;

/// <summary>The shape of every key-state change: resolve by key id or ARN, authorize, apply a Core transition in one store transaction.</summary>
internal static class KeyChange
{
    public static async ValueTask<Result<KeyRecord>> ApplyAsync(RequestContext ctx, string keyId, Func<KeyRecord, Result<KeyRecord>> transition)
    {
        var key = await Steps.ResolveAsync(ctx, keyId, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key;
        }

        var changed = await ctx.Kms.Keys.UpdateAsync(key.Value, transition, null, ctx.Aborted);
        if (changed.IsSuccess)
        {
            ctx.ResourceKey = changed.Value;
        }

        return changed;
    }
}
