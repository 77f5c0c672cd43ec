using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>DisableKeyRotation: stops automatic rotation; on-demand rotation stays possible.</summary>
internal static class DisableKeyRotationHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r, KeyRecord? key) =>
        (await KeyChange.ApplyAsync(ctx, key, KeyRotationRules.DisableAutomatic)).Error;
}
