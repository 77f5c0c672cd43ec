using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>UpdateKeyDescription: replaces the description of an Enabled or Disabled key.</summary>
internal static class UpdateKeyDescriptionHandler
{
    public static async ValueTask<Result<EmptyResponse>> UpdateKeyDescriptionAsync(KmsRuntime kms, UpdateKeyDescriptionRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        EmptyResponse.Unless((await KeyChange.ApplyAsync(kms, caller, key, current =>
            KeyStateRules.CheckManageable(current) is { } error ? error
            : current.Description == r.Description ? current
            : current with { Description = r.Description! }, ct)).Error);
}
