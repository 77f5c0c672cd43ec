using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>DisableKey: Enabled → Disabled; cryptographic use is then refused with DisabledException.</summary>
internal static class DisableKeyHandler
{
    public static async ValueTask<Result<EmptyResponse>> DisableKeyAsync(KmsRuntime kms, KeyIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless((await KeyChange.ApplyAsync(kms, caller, key, KeyStateRules.Disable, ct)).Error);
}
