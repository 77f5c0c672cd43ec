using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>DisableKeyRotation: stops automatic rotation; on-demand rotation stays possible.</summary>
internal static class DisableKeyRotationHandler
{
    public static async ValueTask<Result<EmptyResponse>> DisableKeyRotationAsync(KmsRuntime kms, KeyIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless((await KeyChange.ApplyAsync(kms, caller, key, KeyRotationRules.DisableAutomatic, ct)).Error);
}
