namespace Citadel.Core.Keys;

/// <summary>How a request names a key: by key id, key ARN, alias name or alias ARN.</summary>
public enum KeyReferenceKind
{
    KeyId = 1,
    KeyArn = 2,
    AliasName = 3,
    AliasArn = 4,
}

/// <summary>
/// A parsed <c>KeyId</c> request member. Parsing is syntactic; resolution to a key happens against the store.
/// </summary>
public readonly record struct KeyReference(KeyReferenceKind Kind, KeyId KeyId, string? AliasName, string? Region, string? AccountId)
{
    public bool IsAlias => Kind is KeyReferenceKind.AliasName or KeyReferenceKind.AliasArn;

    public static bool TryParse(string text, out KeyReference reference) => TryParse(text, null, null, out reference);

    /// <summary>
    /// As <see cref="TryParse(string, out KeyReference)"/>; an ARN whose region or account equals
    /// <paramref name="usualRegion"/> or <paramref name="usualAccount"/> (the caller's) reuses that string instead of allocating one.
    /// </summary>
    public static bool TryParse(string text, string? usualRegion, string? usualAccount, out KeyReference reference)
    {
        reference = default;
        if (KeyId.TryParse(text, out var id))
        {
            reference = new KeyReference(KeyReferenceKind.KeyId, id, null, null, null);
            return true;
        }

        if (text.StartsWith("alias/", StringComparison.Ordinal))
        {
            if (!Aliases.IsWellFormed(text))
            {
                return false;
            }

            reference = new KeyReference(KeyReferenceKind.AliasName, default, text, null, null);
            return true;
        }

        if (!text.StartsWith("arn:", StringComparison.Ordinal))
        {
            return false;
        }

        // arn:<partition>:kms:<region>:<account>:<resource>; only the parts kept become strings.
        var arn = text.AsSpan();
        Span<Range> parts = stackalloc Range[6];
        if (arn.Split(parts, ':') != 6 || arn[parts[2]] is not "kms" || arn[parts[3]].Length == 0 || !Accounts.IsValidId(arn[parts[4]]))
        {
            return false;
        }

        var resource = arn[parts[5]];
        if (resource.StartsWith("key/", StringComparison.Ordinal) && KeyId.TryParse(resource[4..], out id))
        {
            reference = new KeyReference(KeyReferenceKind.KeyArn, id, null, Part(text, parts[3], usualRegion), Part(text, parts[4], usualAccount));
            return true;
        }

        if (resource.StartsWith("alias/", StringComparison.Ordinal) && Aliases.IsWellFormed(text[parts[5]]))
        {
            reference = new KeyReference(KeyReferenceKind.AliasArn, default, text[parts[5]], Part(text, parts[3], usualRegion), Part(text, parts[4], usualAccount));
            return true;
        }

        return false;
    }

    private static string Part(string text, Range part, string? usual) =>
        usual is not null && text.AsSpan(part).SequenceEqual(usual) ? usual : text[part];
}
