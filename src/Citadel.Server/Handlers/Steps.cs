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

    public static void ValidateKeyId(string? keyId, string member, ref Validation v)
    {
        v.Required(keyId, member);
        v.Length(keyId, member, 1, 2048);
    }

    public static void ValidateGrantTokens(List<string>? tokens, ref Validation v)
    {
        v.Count(tokens, "grantTokens", 0, 10);
    }

    public static void ValidateTags(List<TagEntry>? tags, ref Validation v)
    {
        if (tags is null)
        {
            return;
        }

        for (var i = 0; i < tags.Count; i++)
        {
            var member = $"tags.{i + 1}.member";
            if (tags[i] is null)
            {
                v.Required(null, member);
                continue;
            }

            v.Required(tags[i].TagKey, $"{member}.tagKey");
            v.Length(tags[i].TagKey, $"{member}.tagKey", 1, 128);
            v.Required(tags[i].TagValue, $"{member}.tagValue");
            v.Length(tags[i].TagValue, $"{member}.tagValue", 0, 256);
        }
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

    public static void ValidatePaging(int? limit, string? marker, ref Validation v)
    {
        v.Range(limit, "limit", 1, 1000);
        v.Length(marker, "marker", 1, 1024);
    }

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
