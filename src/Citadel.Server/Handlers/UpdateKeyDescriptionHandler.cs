using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>UpdateKeyDescription: replaces the description of an Enabled or Disabled key.</summary>
internal static class UpdateKeyDescriptionHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, UpdateKeyDescriptionRequest r, KeyRecord? key) =>
        (await KeyChange.ApplyAsync(ctx, key, current =>
            KeyStateRules.CheckManageable(current) is { } error ? error
            : current.Description == r.Description ? current
            : current with { Description = r.Description! })).Error;
}
