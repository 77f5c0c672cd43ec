namespace Citadel.Core.Keys;

/// <summary>Alias name rules (AliasNameType in the KMS model: ^[a-zA-Z0-9:/_-]+$, 1–256 characters).</summary>
public static class Aliases
{
    public const string Prefix = "alias/";

    /// <summary>The namespace AWS reserves for AWS managed keys.</summary>
    public const string AwsPrefix = "alias/aws/";

    public static bool IsWellFormed(string name)
    {
        if (name.Length <= Prefix.Length || name.Length > 256 || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is ':' or '/' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsReserved(string name) => name.StartsWith(AwsPrefix, StringComparison.Ordinal);
}
