using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>EnableKeyRotation: automatic rotation every RotationPeriodInDays (90–2560, default 365).</summary>
internal static class EnableKeyRotationHandler
{
    public static void Facts(RequestFacts facts, EnableKeyRotationRequest r) => facts.RotationPeriodInDays = r.RotationPeriodInDays ?? KeyRotationRules.DefaultPeriodInDays;

    public static async ValueTask<Result<EmptyResponse>> EnableKeyRotationAsync(KmsRuntime kms, EnableKeyRotationRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var period = r.RotationPeriodInDays ?? KeyRotationRules.DefaultPeriodInDays;
        var now = kms.Time.GetUtcNow();
        return EmptyResponse.Unless((await KeyChange.ApplyAsync(kms, caller, key, current => KeyRotationRules.EnableAutomatic(current, period, now), ct)).Error);
    }
}
