using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>EnableKeyRotation: automatic rotation every RotationPeriodInDays (90–2560, default 365).</summary>
internal static class EnableKeyRotationHandler
{
    public static void Facts(RequestFacts facts, EnableKeyRotationRequest r) => facts.RotationPeriodInDays = r.RotationPeriodInDays ?? KeyRotationRules.DefaultPeriodInDays;

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, EnableKeyRotationRequest r, KeyRecord? key)
    {
        var period = r.RotationPeriodInDays ?? KeyRotationRules.DefaultPeriodInDays;
        var now = ctx.Kms.Time.GetUtcNow();
        return (await KeyChange.ApplyAsync(ctx, key, current => KeyRotationRules.EnableAutomatic(current, period, now))).Error;
    }
}
