using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>EnableKey: Disabled → Enabled (Enabled stays Enabled).</summary>
internal static class EnableKeyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, KeyIdRequest r, KeyRecord? key) =>
        (await KeyChange.ApplyAsync(ctx, key, KeyStateRules.Enable)).Error;
}
