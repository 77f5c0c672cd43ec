using Citadel.Core.Crypto;

namespace Citadel.Core.Tests.Crypto;

public sealed class EncryptionContextTests
{
    private static string CanonicalHex(IReadOnlyDictionary<string, string>? context)
    {
        var bytes = new byte[EncryptionContext.CanonicalLength(context)];
        EncryptionContext.WriteCanonical(context, bytes);
        return Convert.ToHexStringLower(bytes);
    }

    [Fact]
    public void An_absent_context_is_zero_bytes()
    {
        var hex = CanonicalHex(null);

        Assert.Equal("", hex);
    }

    [Fact]
    public void An_empty_context_is_zero_bytes()
    {
        var hex = CanonicalHex(new Dictionary<string, string>());

        Assert.Equal("", hex);
    }

    [Fact]
    public void One_pair_is_written_as_big_endian_lengths_and_UTF8()
    {
        var hex = CanonicalHex(new Dictionary<string, string> { ["purpose"] = "test" });

        Assert.Equal("0007" + "707572706f7365" + "0004" + "74657374", hex);
    }

    [Fact]
    public void An_empty_value_is_written_with_a_zero_length()
    {
        var hex = CanonicalHex(new Dictionary<string, string> { ["k"] = "" });

        Assert.Equal("0001" + "6b" + "0000", hex);
    }

    [Fact]
    public void Pairs_are_sorted_by_key_ordinally_with_upper_case_first()
    {
        var hex = CanonicalHex(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["B"] = "3" });

        Assert.Equal("000142" + "000133" + "000161" + "000131" + "000162" + "000132", hex);
    }

    [Fact]
    public void Keys_sort_by_UTF16_code_units_not_by_UTF8_bytes()
    {
        // U+1F511 is the surrogate pair D83D DD11, which sorts before U+FB01 in UTF-16 although its UTF-8 (F0 …) sorts after EF AC 81.
        var hex = CanonicalHex(new Dictionary<string, string> { ["\uFB01"] = "b", ["\U0001F511"] = "a" });

        Assert.Equal("0004f09f9491" + "000161" + "0003efac81" + "000162", hex);
    }

    [Fact]
    public void Lengths_count_UTF8_bytes_not_characters()
    {
        var context = new Dictionary<string, string> { ["é"] = "ключ" };

        var length = EncryptionContext.CanonicalLength(context);

        Assert.Equal(4 + 2 + 8, length);
        Assert.Equal("0002c3a9" + "0008d0bad0bbd18ed187", CanonicalHex(context));
    }

    [Fact]
    public void The_canonical_form_is_the_same_whatever_the_insertion_order()
    {
        var first = CanonicalHex(new Dictionary<string, string> { ["x"] = "1", ["y"] = "2", ["z"] = "3" });

        var second = CanonicalHex(new Dictionary<string, string> { ["z"] = "3", ["x"] = "1", ["y"] = "2" });

        Assert.Equal(first, second);
    }
}
