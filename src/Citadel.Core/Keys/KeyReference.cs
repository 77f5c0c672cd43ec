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

    public static bool TryParse(string text, out KeyReference reference)
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

        // arn:<partition>:kms:<region>:<account>:<resource>
        var parts = text.Split(':', 6);
        if (parts.Length != 6 || parts[2] != "kms" || parts[3].Length == 0 || !Accounts.IsValidId(parts[4]))
        {
            return false;
        }

        var resource = parts[5];
        if (resource.StartsWith("key/", StringComparison.Ordinal) && KeyId.TryParse(resource[4..], out id))
        {
            reference = new KeyReference(KeyReferenceKind.KeyArn, id, null, parts[3], parts[4]);
            return true;
        }

        if (resource.StartsWith("alias/", StringComparison.Ordinal) && Aliases.IsWellFormed(resource))
        {
            reference = new KeyReference(KeyReferenceKind.AliasArn, default, resource, parts[3], parts[4]);
            return true;
        }

        return false;
    }
}
