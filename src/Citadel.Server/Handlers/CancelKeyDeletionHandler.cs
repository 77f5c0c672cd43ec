using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>CancelKeyDeletion: PendingDeletion → Disabled, as AWS does (enable it again with EnableKey).</summary>
internal static class CancelKeyDeletionHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r, KeyRecord? resolved)
    {
        // A key with imported material goes back to PendingImport when its material is missing.
        var key = resolved!.Origin == KeyOrigin.External
            ? await ExternalKeys.CancelDeletionAsync(ctx, resolved)
            : await ctx.Kms.Keys.UpdateAsync(resolved, KeyStateRules.CancelDeletion, null, ctx.Aborted);
        if (key.IsSuccess)
        {
            ctx.ResourceKey = key.Value;
        }

        if (!key.IsSuccess)
        {
            return key.Error;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Value.Arn);
        json.WriteEndObject();
        return null;
    }
}
