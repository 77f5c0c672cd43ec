using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Crypto;

public sealed class SymmetricCiphertextTests
{
    private static readonly byte[] Material = RandomNumberGenerator.GetBytes(32);
    private static readonly KeyId Key = new(Guid.Parse("1234abcd-12ab-34cd-56ef-1234567890ab"));
    private static readonly byte[] Plaintext = "secret"u8.ToArray();

    private static Dictionary<string, string> Context(params string[] pairs)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Length; i += 2)
        {
            context[pairs[i]] = pairs[i + 1];
        }

        return context;
    }

    [Fact]
    public void A_blob_decrypts_to_its_plaintext_with_the_same_material_and_context()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 3, Context("app", "a"), Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob, Context("app", "a"));

        Assert.Equal(Plaintext, plaintext);
    }

    [Fact]
    public void A_blob_is_the_overhead_longer_than_its_plaintext()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext);

        Assert.Equal(49, SymmetricCiphertext.HeaderSize);
        Assert.Equal(65, SymmetricCiphertext.Overhead);
        Assert.Equal(65 + Plaintext.Length, blob.Length);
    }

    [Fact]
    public void An_empty_plaintext_round_trips()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, null, []);

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob, null);

        Assert.NotNull(plaintext);
        Assert.Empty(plaintext);
    }

    [Fact]
    public void A_large_context_round_trips_through_the_pooled_buffer()
    {
        var context = Context("big", new string('x', 1000), "other", "ü");
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, context, Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob, Context("other", "ü", "big", new string('x', 1000)));

        Assert.Equal(Plaintext, plaintext);
    }

    [Fact]
    public void Two_encryptions_of_the_same_plaintext_differ()
    {
        var first = SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext);

        var second = SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext);

        Assert.NotEqual(first, second);
    }

    public static TheoryData<Dictionary<string, string>?, Dictionary<string, string>?> WrongContexts => new()
    {
        { Context("app", "a"), Context("app", "b") },
        { Context("app", "a"), Context("App", "a") },
        { Context("app", "a"), null },
        { null, Context("app", "a") },
        { Context("app", "a"), Context("app", "a", "extra", "") },
        { Context("ab", "c"), Context("a", "bc") },
    };

    [Theory]
    [MemberData(nameof(WrongContexts))]
    public void Decrypt_with_a_different_context_returns_null(Dictionary<string, string>? encryptedWith, Dictionary<string, string>? decryptedWith)
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, encryptedWith, Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob, decryptedWith);

        Assert.Null(plaintext);
    }

    [Theory]
    [InlineData(0)]   // format version
    [InlineData(1)]   // key id
    [InlineData(16)]  // key id, last byte
    [InlineData(17)]  // material version
    [InlineData(20)]  // material version, last byte
    [InlineData(21)]  // salt
    [InlineData(36)]  // salt, last byte
    [InlineData(37)]  // IV
    [InlineData(48)]  // IV, last byte
    [InlineData(49)]  // ciphertext
    [InlineData(54)]  // ciphertext, last byte
    [InlineData(55)]  // tag
    [InlineData(70)]  // tag, last byte
    public void Decrypt_of_a_blob_with_one_flipped_bit_returns_null(int index)
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, Context("app", "a"), Plaintext);
        Assert.Equal(71, blob.Length);
        blob[index] ^= 0x01;

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob, Context("app", "a"));

        Assert.Null(plaintext);
    }

    [Fact]
    public void Decrypt_with_other_material_returns_null()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(RandomNumberGenerator.GetBytes(32), blob, null);

        Assert.Null(plaintext);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(49)]
    [InlineData(64)]
    [InlineData(70)]
    public void Decrypt_of_a_truncated_blob_returns_null(int length)
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob.AsSpan(0, length), null);

        Assert.Null(plaintext);
    }

    [Fact]
    public void Decrypt_of_a_blob_with_an_appended_byte_returns_null()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(Material, [.. blob, 0], null);

        Assert.Null(plaintext);
    }

    [Fact]
    public void An_empty_context_and_an_absent_context_are_the_same()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, Context(), Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob, null);

        Assert.Equal(Plaintext, plaintext);
    }

    [Fact]
    public void The_order_of_context_keys_does_not_matter()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, Context("b", "2", "a", "1", "c", "3"), Plaintext);

        var plaintext = SymmetricCiphertext.Decrypt(Material, blob, Context("c", "3", "a", "1", "b", "2"));

        Assert.Equal(Plaintext, plaintext);
    }

    [Fact]
    public void TryReadHeader_returns_the_key_id_and_material_version()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 42, null, Plaintext);

        var ok = SymmetricCiphertext.TryReadHeader(blob, out var keyId, out var version);

        Assert.True(ok);
        Assert.Equal(Key, keyId);
        Assert.Equal(42, version);
    }

    [Fact]
    public void TryReadHeader_writes_the_key_id_big_endian_as_in_its_text_form()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext);

        Assert.Equal("1234abcd12ab34cd56ef1234567890ab", Convert.ToHexStringLower(blob.AsSpan(1, 16)));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("one byte short")]
    [InlineData("format version 3")]
    [InlineData("material version 0")]
    [InlineData("material version above int.MaxValue")]
    public void TryReadHeader_of_a_short_or_unknown_or_zero_version_blob_returns_false(string fault)
    {
        var blob = SymmetricCiphertext.Encrypt(Material, Key, 1, null, []);
        blob = fault switch
        {
            "empty" => [],
            "one byte short" => blob[..^1],
            "format version 3" => [3, .. blob[1..]],
            "material version 0" => [.. blob[..17], 0, 0, 0, 0, .. blob[21..]],
            _ => [.. blob[..17], 0x80, 0, 0, 0, .. blob[21..]],
        };

        var ok = SymmetricCiphertext.TryReadHeader(blob, out _, out _);

        Assert.False(ok);
    }

    [Fact]
    public void A_blob_of_a_multi_Region_key_has_format_version_2_and_names_the_set_whoever_of_it_made_it()
    {
        var west = KeyId.MultiRegion(Key.Value).InRegion("us-west-2");

        var blob = SymmetricCiphertext.Encrypt(Material, west, 3, null, "replicated"u8);

        Assert.Equal(SymmetricCiphertext.MultiRegionFormatVersion, blob[0]);
        Assert.True(SymmetricCiphertext.TryReadHeader(blob, out var named, out var version));
        Assert.Equal(KeyId.MultiRegion(Key.Value), named);
        Assert.Equal(west, named.InRegion("us-west-2"));
        Assert.Equal(3, version);
        Assert.Equal("replicated"u8.ToArray(), SymmetricCiphertext.Decrypt(Material, blob, null));
    }

    [Fact]
    public void A_multi_Region_blob_relabelled_as_single_Region_fails_to_decrypt()
    {
        var blob = SymmetricCiphertext.Encrypt(Material, KeyId.MultiRegion(Key.Value).InRegion("us-east-1"), 1, null, "bound"u8);

        blob[0] = SymmetricCiphertext.FormatVersion;

        Assert.Null(SymmetricCiphertext.Decrypt(Material, blob, null));
    }

    // Known-answer vectors, frozen also in docs/ciphertext-format.md. They were computed once by an
    // independent Python implementation of that document (cryptography's HKDF and AESGCM) and by this code.
    // Material 00..1f, salt 40..4f, IV 50..5b, key 1234abcd-12ab-34cd-56ef-1234567890ab.
    public static TheoryData<string, int, Dictionary<string, string>?, string, string> Vectors => new()
    {
        {
            "no context", 1, null, "Hello, Citadel!",
            "011234abcd12ab34cd56ef1234567890ab00000001404142434445464748494a4b4c4d4e4f505152535455565758595a5b"
            + "9d62ccdee34a6275f77f6293a8be5aa4f946d6dbc5a8142f680d79b8726097"
        },
        {
            "one pair", 2, Context("purpose", "test"), "attack at dawn",
            "011234abcd12ab34cd56ef1234567890ab00000002404142434445464748494a4b4c4d4e4f505152535455565758595a5b"
            + "b473d4d3ef0d6257ea2b6796babc9894f4f64cfcf504671953bc7984a1a5"
        },
        {
            "several pairs, non-ASCII", 7,
            Context("department", "engineering", "Zeta", "\u00e4", "\u043a\u043b\u044e\u0447", "\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435", "\U0001F511", "key", "\uFB01le", "x"),
            "donn\u00e9es secr\u00e8tes",
            "011234abcd12ab34cd56ef1234567890ab00000007404142434445464748494a4b4c4d4e4f505152535455565758595a5b"
            + "b168cedc4fcf2745be786694bf11d37b5e5ebd702af818afe0755afb4ebd603546f6"
        },
    };

    private static byte[] VectorMaterial => Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    private static byte[] VectorSaltAndIv => Convert.FromHexString("404142434445464748494a4b4c4d4e4f505152535455565758595a5b");

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encrypt_with_a_fixed_salt_and_IV_gives_the_frozen_vector(string name, int version, Dictionary<string, string>? context, string plaintext, string blobHex)
    {
        _ = name;

        var blob = SymmetricCiphertext.Encrypt(VectorMaterial, Key, version, context, System.Text.Encoding.UTF8.GetBytes(plaintext), VectorSaltAndIv);

        Assert.Equal(blobHex, Convert.ToHexStringLower(blob));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_frozen_vector_decrypts_to_its_plaintext(string name, int version, Dictionary<string, string>? context, string plaintext, string blobHex)
    {
        _ = name;
        _ = version;

        var decrypted = SymmetricCiphertext.Decrypt(VectorMaterial, Convert.FromHexString(blobHex), context);

        Assert.Equal(plaintext, decrypted is null ? null : System.Text.Encoding.UTF8.GetString(decrypted));
    }

    [Fact]
    public void Encrypt_with_a_salt_and_IV_of_the_wrong_length_throws()
    {
        var saltAndIv = new byte[27];

        var exception = Assert.Throws<ArgumentException>(() => SymmetricCiphertext.Encrypt(Material, Key, 1, null, Plaintext, saltAndIv));

        Assert.Equal("saltAndIv", exception.ParamName);
    }
}
