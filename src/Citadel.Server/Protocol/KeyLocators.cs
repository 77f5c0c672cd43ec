using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Protocol;

/// <summary>
/// The keys of operations whose key is not simply their key member: a ciphertext names its key, an alias its target,
/// a grant token its key. Each returns the key the pipeline then authorizes and checks, or the error AWS gives first.
/// </summary>
internal static class KeyLocators
{
    public static ValueTask<Result<KeyRecord?>> DecryptAsync(RequestContext ctx, DecryptRequest r) =>
        CiphertextKeyAsync(ctx, r.CiphertextBlob!, r.KeyId, r.EncryptionAlgorithm);

    public static ValueTask<Result<KeyRecord?>> ReEncryptSourceAsync(RequestContext ctx, ReEncryptRequest r) =>
        CiphertextKeyAsync(ctx, r.CiphertextBlob!, r.SourceKeyId, r.SourceEncryptionAlgorithm);

    /// <summary>
    /// The key of a ciphertext. An RSAES-OAEP ciphertext has no header, so KeyId names its key; a symmetric one names its
    /// key in its header, and a KeyId given with it must name the same key (IncorrectKeyException).
    /// </summary>
    private static async ValueTask<Result<KeyRecord?>> CiphertextKeyAsync(RequestContext ctx, byte[] blob, string? keyIdHint, string? algorithm)
    {
        if (keyIdHint is not null && Ciphertexts.IsAsymmetricAlgorithm(algorithm))
        {
            return Nullable(await KeyResolver.ResolveAsync(ctx.Kms, ctx.Caller, keyIdHint, allowAlias: true, ctx.Aborted));
        }

        if (!SymmetricCiphertext.TryReadHeader(blob, out var setOrKey, out _) && !ExternalKeyStoreCiphertext.TryReadKeyId(blob, out setOrKey))
        {
            return Errors.InvalidCiphertext();
        }

        // A multi-Region ciphertext opens with the key of its set in the Region of the request.
        var keyId = setOrKey.InRegion(ctx.Region);

        if (keyIdHint is not null)
        {
            var hinted = await KeyResolver.ResolveAsync(ctx.Kms, ctx.Caller, keyIdHint, allowAlias: true, ctx.Aborted);
            if (!hinted.IsSuccess)
            {
                return hinted.Error.Value;
            }

            return hinted.Value.Id == keyId ? hinted.Value : Errors.IncorrectKey();
        }

        var key = await ctx.Kms.Keys.GetAsync(keyId, ctx.Aborted);
        if (key is null || key.Region != ctx.Region)
        {
            return Errors.CiphertextKeyInaccessible();
        }

        return key;
    }

    /// <summary>The key UpdateAlias points the alias at: the alias must exist first (NotFoundException), then the target by key id or ARN.</summary>
    public static async ValueTask<Result<KeyRecord?>> UpdateAliasTargetAsync(RequestContext ctx, AliasRequest r)
    {
        var account = ctx.Principal.AccountId;
        if (await ctx.Kms.Aliases.GetAsync(account, ctx.Region, r.AliasName!, ctx.Aborted) is null)
        {
            return Errors.AliasNotFound(Arns.Alias(ctx.Region, account, r.AliasName!));
        }

        if (Handlers.AliasSteps.CheckTargetIsKey(r.TargetKeyId!) is { } notKey)
        {
            return notKey;
        }

        return Nullable(await KeyResolver.ResolveAsync(ctx.Kms, ctx.Caller, r.TargetKeyId!, allowAlias: false, ctx.Aborted));
    }

    /// <summary>DeleteAlias: the key the alias points at (authorized as the alias's key), if it still exists; the alias must.</summary>
    public static async ValueTask<Result<KeyRecord?>> AliasKeyAsync(RequestContext ctx, AliasRequest r)
    {
        var account = ctx.Principal.AccountId;
        var alias = await ctx.Kms.Aliases.GetAsync(account, ctx.Region, r.AliasName!, ctx.Aborted);
        if (alias is null)
        {
            return Errors.AliasNotFound(Arns.Alias(ctx.Region, account, r.AliasName!));
        }

        return await ctx.Kms.Keys.GetAsync(alias.TargetKeyId, ctx.Aborted);
    }

    /// <summary>UpdateAlias: the key the alias points at before the change, which must allow kms:UpdateAlias too.</summary>
    public static async ValueTask<Result<KeyRecord?>> CurrentAliasKeyAsync(RequestContext ctx, AliasRequest r)
    {
        var alias = await ctx.Kms.Aliases.GetAsync(ctx.Principal.AccountId, ctx.Region, r.AliasName!, ctx.Aborted);
        return alias is null ? null : await ctx.Kms.Keys.GetAsync(alias.TargetKeyId, ctx.Aborted);
    }

    /// <summary>RetireGrant: the grant's key, by grant token or by key id or ARN and grant id; the grant must exist.</summary>
    public static async ValueTask<Result<KeyRecord?>> RetiredGrantAsync(RequestContext ctx, RetireGrantRequest r)
    {
        KeyId keyId;
        string grantId;
        if (r.GrantToken is not null)
        {
            if (!GrantTokens.TryParse(r.GrantToken, out keyId, out grantId))
            {
                return new KmsError(KmsErrorCode.InvalidGrantToken, "Invalid grant token.");
            }

            keyId = keyId.InRegion(ctx.Region);
        }
        else if (r.KeyId is not null && r.GrantId is not null)
        {
            var resolved = await KeyResolver.ResolveAsync(ctx.Kms, ctx.Caller, r.KeyId, allowAlias: false, ctx.Aborted);
            if (!resolved.IsSuccess)
            {
                return resolved.Error.Value;
            }

            keyId = resolved.Value.Id;
            grantId = r.GrantId;
            if (!GrantTokens.IsGrantId(grantId))
            {
                return new KmsError(KmsErrorCode.InvalidGrantId, $"Invalid grant ID {grantId}");
            }
        }
        else
        {
            return Errors.Validation("Either GrantToken, or both KeyId and GrantId, must be specified.");
        }

        var key = await ctx.Kms.Keys.GetAsync(keyId, ctx.Aborted);
        if (key is null || await FindGrantAsync(ctx, keyId, grantId) is null)
        {
            return new KmsError(KmsErrorCode.NotFound, $"Grant {grantId} does not exist");
        }

        return key;
    }

    /// <summary>The grant RetireGrant names, read from the store (not the authorizer's cache): it is about to be deleted.</summary>
    public static ValueTask<GrantRecord?> FindGrantAsync(RequestContext ctx, KeyId keyId, string grantId) => ctx.Kms.Grants.FindAsync(keyId, grantId, ctx.Aborted);

    /// <summary>The grant id RetireGrant names: from its token, or its GrantId member (the locator has checked both).</summary>
    public static string RetiredGrantId(RetireGrantRequest r) =>
        r.GrantToken is not null && GrantTokens.TryParse(r.GrantToken, out _, out var grantId) ? grantId : r.GrantId!;

    private static Result<KeyRecord?> Nullable(Result<KeyRecord> result) => result.IsSuccess ? result.Value : result.Error.Value;

    /// <summary>UpdatePrimaryRegion: the key of the set in PrimaryRegion, which must allow the change too; none when that is the key's own Region.</summary>
    public static async ValueTask<Result<KeyRecord?>> NewPrimaryAsync(RequestContext ctx, MultiRegionRequest r)
    {
        var current = ctx.ResourceKey!;
        var region = r.PrimaryRegion!;
        if (region == current.Region)
        {
            return null;
        }

        var replica = await ctx.Kms.Keys.GetAsync(current.Id.InRegion(region), ctx.Aborted);
        return replica is null || replica.AccountId != current.AccountId ? Errors.KeyNotFound(MultiRegionKeys.ReplicaArn(current, region)) : replica;
    }
}
