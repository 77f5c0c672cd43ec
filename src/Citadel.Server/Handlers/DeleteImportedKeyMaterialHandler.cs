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
    public static KmsError? Check(RequestContext ctx, DeleteImportedKeyMaterialRequest r, KeyRecord? key) => ImportRules.CheckExternal(key!);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, DeleteImportedKeyMaterialRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        var changed = await ctx.Kms.Keys.UpdateMaterialsAsync(
            key,
            (current, versions) => ImportRules.Delete(current, versions, r.KeyMaterialId),
            ctx.Aborted);
        if (!changed.IsSuccess)
        {
            return changed.Error;
        }

        ctx.ResourceKey = changed.Value.Key;
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Arn);
        json.WriteString("KeyMaterialId"u8, changed.Value.MaterialId);
        json.WriteEndObject();
        return null;
    }
}
