namespace Citadel.Core.Policies;

/// <summary>IAM wildcard matching: '*' matches any run of characters (also none), '?' any one character.</summary>
public static class Wildcard
{
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase) =>
        IsMatch(pattern, text, ignoreCase, []);

    /// <summary>As above; a pattern position marked in <paramref name="literal"/> is an ordinary character even if it is '*' or '?' (the ${*} and ${?} policy variables).</summary>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text, bool ignoreCase, ReadOnlySpan<bool> literal)
    {
        // Iterative glob with backtracking to the last '*': linear in practice, no recursion.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            // A wildcard '*' is tried first, so that a '*' in the text does not consume it as a literal.
            if (p < pattern.Length && pattern[p] == '*' && !IsLiteral(literal, p))
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && ((pattern[p] == '?' && !IsLiteral(literal, p)) || CharEquals(pattern[p], text[t], ignoreCase)))
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*' && !IsLiteral(literal, p))
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool IsLiteral(ReadOnlySpan<bool> literal, int index) => index < literal.Length && literal[index];

    private static bool CharEquals(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToLowerInvariant(a) == char.ToLowerInvariant(b));
}
