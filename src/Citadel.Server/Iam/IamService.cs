using System.Buffers.Text;
using System.Text;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Protocol;
using Citadel.Storage;

namespace Citadel.Server.Iam;

/// <summary>
/// The IAM API's operations on users, roles, inline policies, access keys and tags, without HTTP: typed
/// input and the caller in, a result or an <see cref="IamError"/> out, with IAM's validation (the IAM
/// model's shapes) and AWS's messages. Authorization is not here: the endpoint authorizes every
/// operation before it calls in (see <see cref="ResourceArnAsync"/>). Every change moves the store's
/// identity version, so every node's caches drop what changed; <paramref name="changed"/> tells this
/// node's caches at once.
/// </summary>
internal sealed partial class IamService(IStore store, ISeal seal, TimeProvider time, Action? changed = null)
{
    /// <summary>AWS's quota of access keys per user (IAM User Guide, "IAM and AWS STS quotas").</summary>
    public const int AccessKeysPerUser = 2;

    /// <summary>AWS's quota of tags per user or role.</summary>
    public const int TagsPerEntity = 50;

    /// <summary>The aggregate size of a user's inline policies, whitespace not counted.</summary>
    public const int UserPolicySize = 2048;

    /// <summary>The aggregate size of a role's inline policies, whitespace not counted.</summary>
    public const int RolePolicySize = 10240;

    /// <summary>The size of a role trust policy (AWS's default quota; it can be raised to 4,096 there).</summary>
    public const int TrustPolicySize = 2048;

    private const int DefaultMaxItems = 100;

    /// <summary>
    /// The ARN an operation on the user or role of that name acts on, for authorization: the existing
    /// entity's (with its path), or the ARN it would have on <paramref name="path"/> ("/" when absent).
    /// </summary>
    public async Task<string> ResourceArnAsync(string accountId, PrincipalType type, string? name, string? path, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(name))
        {
            return IamEntity.Arn(accountId, type, "/", "");
        }

        var existing = await store.FindIamEntityAsync(accountId, type, name, ct);
        return existing?.Principal.Arn ?? IamEntity.Arn(accountId, type, path is { Length: > 0 } ? path : "/", name);
    }

    private async Task<IamResult<IamEntity>> FindAsync(string accountId, PrincipalType type, string name, CancellationToken ct) =>
        await store.FindIamEntityAsync(accountId, type, name, ct) is { } entity
            ? entity
            : NoSuchEntity(type, name);

    private void Changed() => changed?.Invoke();

    /// <summary>Validation's violations, worded as AWS words them, as an IAM ValidationError.</summary>
    private static IamError? Invalid(in Validation validation) =>
        validation.ToError() is { } error ? IamErrors.Validation(error.Message) : null;

    private static void ValidateTags(ref Validation v, IReadOnlyList<Core.Keys.Tag>? tags, string member)
    {
        if (tags is null)
        {
            return;
        }

        v.Count(tags, member, 0, TagsPerEntity);
        for (var i = 0; i < tags.Count; i++)
        {
            v.Required(tags[i].Key, $"{member}.{i + 1}.member.key");
            v.Required(tags[i].Value, $"{member}.{i + 1}.member.value");
            v.String(tags[i].Key, $"{member}.{i + 1}.member.key", IamShapes.TagKey);
            v.String(tags[i].Value, $"{member}.{i + 1}.member.value", IamShapes.TagValue);
        }
    }

    /// <summary>Two tags with one key in one request: IAM refuses them (InvalidInput).</summary>
    private static IamError? DuplicateTagKeys(IReadOnlyList<Core.Keys.Tag>? tags)
    {
        if (tags is null)
        {
            return null;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (!seen.Add(tag.Key))
            {
                return new IamError(IamErrorCode.InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
            }
        }

        return null;
    }

    /// <summary>Pages a list sorted by <paramref name="key"/>: the marker is the (opaque, base64url) key of the last item returned.</summary>
    private static IamResult<IamPage<T>> Paginate<T>(IReadOnlyList<T> sorted, Func<T, string> key, string? marker, int? maxItems)
    {
        var start = 0;
        if (marker is not null)
        {
            if (!TryDecodeMarker(marker, out var after))
            {
                return IamErrors.Validation("Invalid Marker.");
            }

            while (start < sorted.Count && string.CompareOrdinal(key(sorted[start]), after) <= 0)
            {
                start++;
            }
        }

        var take = Math.Min(maxItems ?? DefaultMaxItems, sorted.Count - start);
        var items = new List<T>(take);
        for (var i = start; i < start + take; i++)
        {
            items.Add(sorted[i]);
        }

        var truncated = start + take < sorted.Count;
        return new IamPage<T>(items, truncated, truncated ? EncodeMarker(key(items[^1])) : null);
    }

    private static void ValidatePaging(ref Validation v, string? marker, int? maxItems)
    {
        v.String(marker, "marker", IamShapes.Marker);
        v.Range(maxItems, "maxItems", 1, 1000);
    }

    private static string EncodeMarker(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    private static bool TryDecodeMarker(string marker, out string key)
    {
        key = "";
        if (!Base64Url.IsValid(marker))
        {
            return false;
        }

        try
        {
            key = new UTF8Encoding(false, true).GetString(Base64Url.DecodeFromChars(marker));
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Characters of a policy as IAM counts them against its size quotas: whitespace is free.</summary>
    private static int PolicySize(string document)
    {
        var size = 0;
        foreach (var c in document)
        {
            if (!char.IsWhiteSpace(c))
            {
                size++;
            }
        }

        return size;
    }
}
