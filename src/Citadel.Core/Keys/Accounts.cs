namespace Citadel.Core.Keys;

/// <summary>AWS account ids: exactly twelve digits.</summary>
public static class Accounts
{
    public static bool IsValidId(string? text) => text is { Length: 12 } && text.All(char.IsAsciiDigit);
}
