using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>GetKeyRotationStatus: whether automatic rotation is on, its period and next date.</summary>
internal static class GetKeyRotationStatusHandler
{
    public static KmsError? Check(Caller caller, KeyIdRequest r, KeyRecord? key) => Steps.CheckRotatableSpec(key!);

    public static ValueTask<Result<GetKeyRotationStatusResponse>> GetKeyRotationStatusAsync(KmsRuntime kms, KeyIdRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct) =>
        ValueTask.FromResult<Result<GetKeyRotationStatusResponse>>(new GetKeyRotationStatusResponse(resolved!));
}
