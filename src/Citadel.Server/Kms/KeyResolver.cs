using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Kms;

/// <summary>
/// Resolves the KeyId member of a request (key id, key ARN, alias name, alias ARN) to a key.
/// A bare key id or alias name is looked up in the caller's account; an ARN may name another
/// account, and authorization then decides.
/// </summary>
internal static class KeyResolver
{
    public static async ValueTask<Result<KeyRecord>> ResolveAsync(RequestContext ctx, string text, bool allowAlias)
    {
        if (!KeyReference.TryParse(text, ctx.Region, ctx.Principal.AccountId, out var reference) || (reference.IsAlias && !allowAlias))
        {
            return Errors.InvalidKeyId(text);
        }

        if (reference.Region is { } arnRegion && arnRegion != ctx.Region)
        {
            return Errors.InvalidArnRegion(arnRegion);
        }

        var account = reference.AccountId ?? ctx.Principal.AccountId;
        // A multi-Region id names the key of its set in the Region of the request (an ARN's Region is that one).
        var keyId = reference.KeyId.InRegion(ctx.Region);
        if (reference.IsAlias)
        {
            var alias = await ctx.Kms.Keys.GetAliasAsync(account, ctx.Region, reference.AliasName!, ctx.Aborted);
            if (alias is null)
            {
                // A predefined alias/aws/<service> names the account's AWS managed key, created on first use.
                if (account == ctx.Principal.AccountId && await ctx.Kms.Services.FindByAliasAsync(reference.AliasName!, ctx.Aborted) is { } service
                    && await ctx.Kms.ManagedKeys.GetOrCreateAsync(account, ctx.Region, service, ctx.Kms.Time.GetUtcNow(), ctx.Aborted) is { } managed)
                {
                    ctx.Facts.RequestAlias = reference.AliasName;
                    ctx.ResourceKey = managed;
                    return managed;
                }

                return Errors.AliasNotFound(Arns.Alias(ctx.Region, account, reference.AliasName!));
            }

            keyId = alias.TargetKeyId;
            ctx.Facts.RequestAlias = reference.AliasName;
        }

        var key = await ctx.Kms.Keys.GetAsync(keyId, ctx.Aborted);
        if (key is null || key.Region != ctx.Region || key.AccountId != account)
        {
            return Errors.KeyNotFound(Arns.Key(ctx.Region, account, keyId));
        }

        ctx.ResourceKey = key;
        return key;
    }
}
