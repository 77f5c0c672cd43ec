using System.Text;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>The steps handlers share: resolve and authorize a key, check it can be used, validate common members.</summary>
internal static class Steps
{
    private const string InvalidMarkerMessage = "The request was rejected because the marker that specifies where pagination should next begin is not valid.";

    /// <summary>
    /// Beyond the model: the model leaves CiphertextBlob of Decrypt and ReEncrypt optional only because AWS waives it
    /// for a dry run with DryRunModifiers IGNORE_CIPHERTEXT ("required in all cases except when DryRun is true and
    /// DryRunModifiers is set to IGNORE_CIPHERTEXT", the SDKs' Decrypt documentation). That dry run is not
    /// implemented here, so the ciphertext is always required.
    /// </summary>
    public static void ValidateCiphertextRequired(byte[]? ciphertextBlob, ref Validation v) => v.Required(ciphertextBlob, "ciphertextBlob");

    /// <summary>Resolves the key, then authorizes the operation on it.</summary>
    public static async ValueTask<Result<KeyRecord>> ResolveAsync(RequestContext ctx, string keyId, bool allowAlias)
    {
        var resolved = await KeyResolver.ResolveAsync(ctx, keyId, allowAlias);
        if (!resolved.IsSuccess)
        {
            return resolved;
        }

        return await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx, resolved.Value, ctx.Operation.Action) is { } denied ? denied : resolved;
    }

    /// <summary>A symmetric encryption key that is enabled, used with SYMMETRIC_DEFAULT.</summary>
    public static KmsError? CheckSymmetricUse(RequestContext ctx, KeyRecord key, string? algorithm)
    {
        if (Ciphertexts.CheckEncryptionUse(ctx, key, algorithm) is { } refused)
        {
            return refused;
        }

        if (key.Spec != KeySpec.SymmetricDefault)
        {
            // An RSA ENCRYPT_DECRYPT key: its material is a key pair, not a symmetric key.
            return ctx.Operation.Name.StartsWith("GenerateDataKey", StringComparison.Ordinal)
                ? Errors.InvalidKeyUsage("You cannot generate a data key with an asymmetric CMK")
                : Errors.InvalidKeyUsage($"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {Core.WireNames.Of(key.Spec)}.");
        }

        return null;
    }

    /// <summary>The rules beyond the model that AWS applies to tags (TagException).</summary>
    public static KmsError? CheckTags(IReadOnlyList<TagEntry>? tags, int existingOtherTags, int maxTags)
    {
        if (tags is null)
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (tag.TagKey!.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                return new KmsError(KmsErrorCode.Tag, "Tags beginning with aws: are reserved");
            }

            if (!seen.Add(tag.TagKey))
            {
                return new KmsError(KmsErrorCode.Tag, "Duplicate tag keys");
            }
        }

        if (seen.Count + existingOtherTags > maxTags)
        {
            return new KmsError(KmsErrorCode.Tag, "Too many tags");
        }

        return null;
    }

    public static List<Tag> ToTags(List<TagEntry>? tags) =>
        tags is null ? [] : tags.ConvertAll(t => new Tag(t.TagKey!, t.TagValue!));

    /// <summary>Markers are opaque to clients: base64url of the last item's sort key.</summary>
    public static string? EncodeMarker(string? sortKey) =>
        sortKey is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(sortKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Result<string?> DecodeMarker(string? marker, Func<string, bool> isValidSortKey)
    {
        if (marker is null)
        {
            return (string?)null;
        }

        try
        {
            var base64 = marker.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var sortKey = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            if (isValidSortKey(sortKey))
            {
                return sortKey;
            }
        }
        catch (FormatException)
        {
        }

        return new KmsError(KmsErrorCode.InvalidMarker, InvalidMarkerMessage);
    }

    public static KmsError? DryRun(bool? dryRun) => dryRun == true ? Errors.DryRun() : null;
}
