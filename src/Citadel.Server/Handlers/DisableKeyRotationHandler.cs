using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>DisableKeyRotation: stops automatic rotation; on-demand rotation stays possible.</summary>
internal static class DisableKeyRotationHandler
{
    public static void Validate(KeyIdRequest r, ref Validation v) => Steps.ValidateKeyId(r.KeyId, "keyId", ref v);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r) =>
        (await KeyChange.ApplyAsync(ctx, r.KeyId!, KeyRotationRules.DisableAutomatic)).Error;
}
