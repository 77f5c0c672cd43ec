using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>CancelKeyDeletion: PendingDeletion → Disabled, as AWS does (enable it again with EnableKey).</summary>
internal static class CancelKeyDeletionHandler
{
    public static void Validate(KeyIdRequest r, ref Validation v) => Steps.ValidateKeyId(r.KeyId, "keyId", ref v);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r)
    {
        var key = await KeyChange.ApplyAsync(ctx, r.KeyId!, KeyStateRules.CancelDeletion);
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
