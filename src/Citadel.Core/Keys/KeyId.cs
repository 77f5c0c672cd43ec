using System.Diagnostics.CodeAnalysis;

namespace Citadel.Core.Keys;

/// <summary>A key id: a UUID, written as AWS writes it (lower-case, hyphenated).</summary>
public readonly record struct KeyId(Guid Value)
{
    public static KeyId New() => new(Guid.NewGuid());

    public static bool TryParse([NotNullWhen(true)] string? text, out KeyId id)
    {
        id = default;
        return text is not null && TryParse(text.AsSpan(), out id);
    }

    public static bool TryParse(ReadOnlySpan<char> text, out KeyId id)
    {
        // AWS key ids are exactly 36 characters; Guid.TryParse alone would accept braces and other forms.
        if (text.Length == 36 && Guid.TryParseExact(text, "D", out var guid))
        {
            id = new KeyId(guid);
            return true;
        }

        id = default;
        return false;
    }

    public override string ToString() => Value.ToString("D");
}
