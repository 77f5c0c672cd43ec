using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>EnableKeyRotation: automatic rotation every RotationPeriodInDays (90–2560, default 365).</summary>
internal static class EnableKeyRotationHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, EnableKeyRotationRequest r)
    {
        var period = r.RotationPeriodInDays ?? KeyRotationRules.DefaultPeriodInDays;
        ctx.Facts.RotationPeriodInDays = period;
        var now = ctx.Kms.Time.GetUtcNow();
        return (await KeyChange.ApplyAsync(ctx, r.KeyId!, key => KeyRotationRules.EnableAutomatic(key, period, now))).Error;
    }
}
