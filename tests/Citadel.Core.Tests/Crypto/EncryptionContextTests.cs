using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
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
    [Fact]
    [Trait("Issue", "16")]
    public void A_value_whose_length_does_not_fit_16_bits_is_refused_rather_than_colliding_with_another_context()
    {
        var (crafted, victim) = CollidingPair();

        var act = () => CanonicalHex(crafted);

        Assert.Equal(65_537, Encoding.UTF8.GetByteCount(crafted["k"]));
        Assert.ThrowsAny<ArgumentException>(act);
        Assert.Null(EncryptionContext.Problem(victim));
        Assert.NotNull(EncryptionContext.Problem(crafted));
    }

    [Theory]
    [Trait("Issue", "16")]
    [InlineData(65_535, true)]
    [InlineData(65_536, false)]
    public void A_key_or_value_may_be_at_most_65535_UTF8_bytes(int bytes, bool representable)
    {
        var text = new string('é', bytes / 2) + (bytes % 2 == 1 ? "a" : "");

        var asKey = EncryptionContext.Problem(new Dictionary<string, string> { [text] = "v" });
        var asValue = EncryptionContext.Problem(new Dictionary<string, string> { ["k"] = text });

        Assert.Equal(representable, asKey is null);
        Assert.Equal(representable, asValue is null);
    }

    [Fact]
    [Trait("Issue", "16")]
    public void A_lone_surrogate_is_refused_rather_than_written_as_U_FFFD()
    {
        var lone = new Dictionary<string, string> { ["k"] = "\uD800" };
        var replacement = new Dictionary<string, string> { ["k"] = "\uFFFD" };

        var act = () => CanonicalHex(lone);

        Assert.ThrowsAny<ArgumentException>(act);
        Assert.NotNull(EncryptionContext.Problem(lone));
        Assert.Null(EncryptionContext.Problem(replacement));
    }

    /// <summary>
    /// The property the associated data rests on: the canonical form is injective. Every context is
    /// either refused (a key or value over 65,535 UTF-8 bytes, or not valid UTF-16) or written in a
    /// form that parses back to exactly that context, so distinct contexts have distinct forms.
    /// </summary>
    [Fact]
    [Trait("Issue", "16")]
    public void Every_context_is_refused_or_written_in_a_form_that_parses_back_to_it()
    {
        var random = new Random(16);
        var seen = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            var context = RandomContext(random);
            var carriable = context.All(p => IsCarriable(p.Key) && IsCarriable(p.Value));

            var bytes = TryCanonical(context);

            if (!carriable)
            {
                Assert.True(bytes is null, $"context {i} cannot be carried but was written");
                Assert.True(EncryptionContext.Problem(context) is not null, $"context {i} cannot be carried but has no problem");
                continue;
            }

            Assert.True(EncryptionContext.Problem(context) is null, $"context {i} can be carried but has a problem");

            Assert.NotNull(bytes);
            Assert.True(SameContext(context, Parse(bytes)), $"context {i} does not parse back from its canonical form");
            var digest = Convert.ToHexString(SHA256.HashData(bytes));
            if (seen.TryGetValue(digest, out var earlier))
            {
                Assert.True(SameContext(earlier, context), $"context {i} has the canonical form of a different context");
            }

            seen[digest] = context;
        }
    }

    /// <summary>
    /// {"k": V} where V is 65,537 bytes, whose 16-bit length wraps to 1: its canonical form is that of
    /// {"k": "p", "z": …, "zz…": …}, the pairs V was built from. Every length byte is ASCII, so V is valid UTF-8.
    /// </summary>
    internal static (Dictionary<string, string> Crafted, Dictionary<string, string> Victim) CollidingPair()
    {
        var key2 = new string('z', 257);
        var value1 = new string('a', 32_639);
        var value2 = new string('b', 32_631);
        var tail = new StringBuilder();
        foreach (var (key, value) in new[] { ("z", value1), (key2, value2) })
        {
            tail.Append((char)(key.Length >> 8)).Append((char)(key.Length & 0xFF)).Append(key);
            tail.Append((char)(value.Length >> 8)).Append((char)(value.Length & 0xFF)).Append(value);
        }

        var crafted = new Dictionary<string, string> { ["k"] = "p" + tail };
        var victim = new Dictionary<string, string> { ["k"] = "p", ["z"] = value1, [key2] = value2 };
        return (crafted, victim);
    }

    private static bool IsCarriable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return Encoding.UTF8.GetByteCount(text) <= ushort.MaxValue;
    }

    private static byte[]? TryCanonical(Dictionary<string, string> context)
    {
        try
        {
            var bytes = new byte[EncryptionContext.CanonicalLength(context)];
            EncryptionContext.WriteCanonical(context, bytes);
            return bytes;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Reads a canonical form back (docs/ciphertext-format.md, "Canonical encryption context").</summary>
    private static Dictionary<string, string> Parse(ReadOnlySpan<byte> bytes)
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        while (bytes.Length > 0)
        {
            var keyLength = BinaryPrimitives.ReadUInt16BigEndian(bytes);
            var key = strict.GetString(bytes.Slice(2, keyLength));
            bytes = bytes[(2 + keyLength)..];
            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(bytes);
            context.Add(key, strict.GetString(bytes.Slice(2, valueLength)));
            bytes = bytes[(2 + valueLength)..];
        }

        return context;
    }

    private static bool SameContext(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var value) && string.Equals(value, p.Value, StringComparison.Ordinal));

    private static Dictionary<string, string> RandomContext(Random random)
    {
        var count = random.Next(10) switch
        {
            0 => 0,
            1 => random.Next(20, 60),
            _ => random.Next(1, 5),
        };
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            context.TryAdd(RandomText(random), RandomText(random));
        }

        return context;
    }

    /// <summary>Mostly short text, sometimes empty, sometimes around the 65,535-byte limit; ASCII, 2-, 3- and 4-byte UTF-8, a few lone surrogates.</summary>
    private static string RandomText(Random random) => RandomText(random, random.Next(20) switch
    {
        0 => 0,
        1 => random.Next(21_800, 22_000),
        2 => random.Next(65_400, 66_000),
        _ => random.Next(1, 12),
    });

    private static string RandomText(Random random, int length)
    {
        var text = new StringBuilder(length);
        if (length > 1000)
        {
            // Long text repeats a random 1,000-character chunk, so a run stays fast; the random tail below sets the exact length.
            var chunk = RandomText(random, 1000);
            while (text.Length + chunk.Length < length)
            {
                text.Append(chunk);
            }
        }

        while (text.Length < length)
        {
            switch (random.Next(12))
            {
                case 0: text.Append((char)random.Next(0x80, 0x800)); break;
                case 1: text.Append((char)random.Next(0x800, 0xD800)); break;
                case 2: text.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000))); break;
                case 3 when random.Next(50) == 0: text.Append((char)random.Next(0xD800, 0xE000)); break;
                default: text.Append((char)random.Next(0, 0x80)); break;
            }
        }

        return text.ToString();
    }
}
