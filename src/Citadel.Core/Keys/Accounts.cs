namespace Citadel.Core.Keys;

/// <summary>AWS account ids: exactly twelve digits.</summary>
public static class Accounts
{
    public static bool IsValidId(string? text) => text is not null && IsValidId(text.AsSpan());

    public static bool IsValidId(ReadOnlySpan<char> text) => text.Length == 12 && !text.ContainsAnyExceptInRange('0', '9');
}
