using System.Text;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>The checks handlers share beyond the pipeline's: data keys, rotation, Recipient, tags, paging markers.</summary>
internal static class Steps
{
    private const string InvalidMarkerMessage = "The request was rejected because the marker that specifies where pagination should next begin is not valid.";

    /// <summary>The data-key operations: SYMMETRIC_DEFAULT keys only (usage and state the pipeline has checked).</summary>
    public static KmsError? CheckDataKeyEncryption(KeyRecord key) =>
        Ciphertexts.CheckSymmetricKey(key, null, static _ => "You cannot generate a data key with an asymmetric CMK");

    /// <summary>GetKeyRotationStatus and ListKeyRotations: only symmetric encryption keys rotate.</summary>
    public static KmsError? CheckRotatableSpec(KeyRecord key) => key.Spec == KeySpec.SymmetricDefault
        ? null
        : new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} key spec is {Core.WireNames.Of(key.Spec)} which is not valid for this operation.");

    /// <summary>AWS Nitro Enclaves attestation, which Decrypt, GenerateDataKey*, GenerateRandom and DeriveSharedSecret take.</summary>
    public static KmsError RecipientUnsupported() =>
        new(KmsErrorCode.UnsupportedOperation, "Recipient (AWS Nitro Enclaves attestation) is not supported by this server.");

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
}
