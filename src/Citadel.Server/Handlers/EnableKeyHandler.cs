using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>EnableKey: Disabled → Enabled (Enabled stays Enabled).</summary>
internal static class EnableKeyHandler
{
    public static async ValueTask<Result<EmptyResponse>> EnableKeyAsync(KmsRuntime kms, KeyIdRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless((await KeyChange.ApplyAsync(kms, caller, key, KeyStateRules.Enable, ct)).Error);
}
