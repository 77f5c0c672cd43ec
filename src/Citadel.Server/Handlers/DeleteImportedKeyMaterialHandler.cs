using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// DeleteImportedKeyMaterial: the current material (or the one named) is deleted; the key is
/// PendingImport until the same material is imported again, unless it is pending deletion.
/// </summary>
internal static class DeleteImportedKeyMaterialHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, DeleteImportedKeyMaterialRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        ctx.ResourceKey = key.Value;
        if (ImportRules.CheckExternal(key.Value) is { } error)
        {
            return error;
        }

        var changed = await ctx.Kms.Keys.UpdateMaterialsAsync(
            key.Value,
            (current, versions) => ImportRules.Delete(current, versions, r.KeyMaterialId),
            ctx.Aborted);
        if (!changed.IsSuccess)
        {
            return changed.Error;
        }

        ctx.ResourceKey = changed.Value.Key;
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Value.Arn);
        json.WriteString("KeyMaterialId"u8, changed.Value.MaterialId);
        json.WriteEndObject();
        return null;
    }
}
