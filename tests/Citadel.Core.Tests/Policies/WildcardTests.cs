using Citadel.Core.Policies;

namespace Citadel.Core.Tests.Policies;

public sealed class WildcardTests
{
    [Theory]
    [InlineData("kms:*", "kms:Encrypt", true)]
    [InlineData("kms:Generate*", "kms:GenerateDataKey", true)]
    [InlineData("kms:Generate*", "kms:Encrypt", false)]
    [InlineData("kms:?ncrypt", "kms:Encrypt", true)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("a*", "a*b", true)]
    [InlineData("*b", "**b", true)]
    [InlineData("a?", "a*", true)]
    [InlineData("a*c", "a*c", true)]
    public void Star_matches_any_run_and_question_mark_one_character(string pattern, string text, bool expected)
    {
        var matches = Wildcard.IsMatch(pattern, text, ignoreCase: false);

        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("KMS:encrypt", "kms:Encrypt", true, true)]
    [InlineData("KMS:encrypt", "kms:Encrypt", false, false)]
    public void Case_is_ignored_only_when_asked(string pattern, string text, bool ignoreCase, bool expected)
    {
        var matches = Wildcard.IsMatch(pattern, text, ignoreCase);

        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("home/*", new[] { false, false, false, false, false, true }, "home/*", true)]
    [InlineData("home/*", new[] { false, false, false, false, false, true }, "home/x", false)]
    [InlineData("a?", new[] { false, true }, "a?", true)]
    [InlineData("a?", new[] { false, true }, "ab", false)]
    public void Positions_marked_literal_match_only_themselves(string pattern, bool[] literal, string text, bool expected)
    {
        var matches = Wildcard.IsMatch(pattern, text, ignoreCase: false, literal);

        Assert.Equal(expected, matches);
    }
}
