using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>UpdateKeyDescription: replaces the description of an Enabled or Disabled key.</summary>
internal static class UpdateKeyDescriptionHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, UpdateKeyDescriptionRequest r) =>
        (await KeyChange.ApplyAsync(ctx, r.KeyId!, key =>
            KeyStateRules.CheckManageable(key) is { } error ? error
            : key.Description == r.Description ? key
            : key with { Description = r.Description! })).Error;
}
