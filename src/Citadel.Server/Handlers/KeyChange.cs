using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;

namespace Citadel.Server.Handlers;

/// <summary>The shape of every key-state change: a Core transition of the resolved, authorized key, in one store transaction.</summary>
internal static class KeyChange
{
    public static async ValueTask<Result<KeyRecord>> ApplyAsync(RequestContext ctx, KeyRecord? key, Func<KeyRecord, Result<KeyRecord>> transition)
    {
        var changed = await ctx.Kms.Keys.UpdateAsync(key!, transition, null, ctx.Aborted);
        if (changed.IsSuccess)
        {
            ctx.ResourceKey = changed.Value;
            await MultiRegionKeys.SyncReplicasAsync(ctx.Kms, changed.Value, ctx.Aborted);
        }

        return changed;
    }
}
