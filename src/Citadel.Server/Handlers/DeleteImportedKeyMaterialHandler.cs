using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// DeleteImportedKeyMaterial: the current material (or the one named) is deleted; the key is
/// PendingImport until the same material is imported again, unless it is pending deletion.
/// </summary>
internal static class DeleteImportedKeyMaterialHandler
{
    public static KmsError? Check(Caller caller, DeleteImportedKeyMaterialRequest r, KeyRecord? key) => ImportRules.CheckExternal(key!);

    public static async ValueTask<Result<DeleteImportedKeyMaterialResponse>> DeleteImportedKeyMaterialAsync(KmsRuntime kms, DeleteImportedKeyMaterialRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        var changed = await kms.Keys.UpdateMaterialsAsync(
            key,
            (current, versions) => ImportRules.Delete(current, versions, r.KeyMaterialId),
            ct);
        if (!changed.IsSuccess)
        {
            return changed.Error.Value;
        }

        caller.ResourceKey = changed.Value.Key;
        return new DeleteImportedKeyMaterialResponse(key.Arn, changed.Value.MaterialId);
    }
}
