using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Server.Kms;

/// <summary>
/// Resolves the KeyId member of a request (key id, key ARN, alias name, alias ARN) to a key.
/// A bare key id or alias name is looked up in the caller's account; an ARN may name another
/// account, and authorization then decides.
/// </summary>
internal static class KeyResolver
{
    public static async ValueTask<Result<KeyRecord>> ResolveAsync(KmsRuntime kms, Caller caller, string text, bool allowAlias, CancellationToken ct)
    {
        if (!KeyReference.TryParse(text, caller.Region, caller.Principal.AccountId, out var reference) || (reference.IsAlias && !allowAlias))
        {
            return Errors.InvalidKeyId(text);
        }

        if (reference.Region is { } arnRegion && arnRegion != caller.Region)
        {
            return Errors.InvalidArnRegion(arnRegion);
        }

        var account = reference.AccountId ?? caller.Principal.AccountId;
        // A multi-Region id names the key of its set in the Region of the request (an ARN's Region is that one).
        var keyId = reference.KeyId.InRegion(caller.Region);
        if (reference.IsAlias)
        {
            var alias = await kms.Keys.GetAliasAsync(account, caller.Region, reference.AliasName!, ct);
            if (alias is null)
            {
                // A predefined alias/aws/<service> names the account's AWS managed key, created on first use.
                if (account == caller.Principal.AccountId && await kms.Services.FindByAliasAsync(reference.AliasName!, ct) is { } service
                    && await kms.ManagedKeys.GetOrCreateAsync(account, caller.Region, service, kms.Time.GetUtcNow(), ct) is { } managed)
                {
                    caller.Facts.RequestAlias = reference.AliasName;
                    caller.ResourceKey = managed;
                    return managed;
                }

                return Errors.AliasNotFound(Arns.Alias(caller.Region, account, reference.AliasName!));
            }

            keyId = alias.TargetKeyId;
            caller.Facts.RequestAlias = reference.AliasName;
        }

        var key = await kms.Keys.GetAsync(keyId, ct);
        if (key is null || key.Region != caller.Region || key.AccountId != account)
        {
            return Errors.KeyNotFound(Arns.Key(caller.Region, account, keyId));
        }

        caller.ResourceKey = key;
        return key;
    }
}
