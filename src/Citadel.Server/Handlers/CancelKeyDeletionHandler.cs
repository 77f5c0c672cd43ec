using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>CancelKeyDeletion: PendingDeletion → Disabled, as AWS does (enable it again with EnableKey).</summary>
internal static class CancelKeyDeletionHandler
{
    public static async ValueTask<Result<KeyIdResponse>> CancelKeyDeletionAsync(KmsRuntime kms, KeyIdRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        // A key with imported material goes back to PendingImport when its material is missing.
        var key = resolved!.Origin == KeyOrigin.External
            ? await ExternalKeys.CancelDeletionAsync(kms, resolved, ct)
            : await kms.Keys.UpdateAsync(resolved, KeyStateRules.CancelDeletion, null, ct);
        if (key.IsSuccess)
        {
            caller.ResourceKey = key.Value;
        }

        if (!key.IsSuccess)
        {
            return key.Error.Value;
        }

        return new KeyIdResponse(key.Value.Arn);
    }
}
