using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Kms;

/// <summary>
/// Decides whether the caller may perform the operation on the key. Today this applies the
/// semantics of AWS's default key policy — the key's own account may do everything, other
/// accounts nothing. Full policy evaluation (key policies, identity policies, grants) replaces it
/// with issue #3.
/// </summary>
internal static class Authorizer
{
    public static KmsError? Authorize(RequestContext ctx, KeyRecord key) => Authorize(ctx, key, ctx.Operation.Action);

    public static KmsError? Authorize(RequestContext ctx, KeyRecord key, string action)
    {
        if (ctx.Principal.AccountId == key.AccountId)
        {
            return null;
        }

        return new KmsError(
            KmsErrorCode.AccessDenied,
            $"User: {ctx.Principal.Arn} is not authorized to perform: {action} on resource: {key.Arn} because no resource-based policy allows the {action} action");
    }
}
