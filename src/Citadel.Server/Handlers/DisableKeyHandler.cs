using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>DisableKey: Enabled → Disabled; cryptographic use is then refused with DisabledException.</summary>
internal static class DisableKeyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r, KeyRecord? key) =>
        (await KeyChange.ApplyAsync(ctx, key, KeyStateRules.Disable)).Error;
}
