using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Crypto;

public sealed class XksCiphertextTests
{
    private static readonly byte[] Material = RandomNumberGenerator.GetBytes(32);
    private static readonly KeyId Key = new(Guid.Parse("1234abcd-12ab-34cd-56ef-1234567890ab"));
    private static readonly byte[] Plaintext = "Hello World!"u8.ToArray();
    private static readonly byte[] Aad = "project=nile,department=marketing"u8.ToArray();

    private sealed record Sealed(byte[] Ciphertext, byte[] Iv, byte[] Tag, byte[] Metadata);

    private static Sealed Encrypt(byte[] aad, int version = 7, byte[]? material = null, byte[]? plaintext = null)
    {
        plaintext ??= Plaintext;
        var result = new Sealed(new byte[plaintext.Length], new byte[XksCiphertext.IvSize], new byte[XksCiphertext.TagSize], new byte[XksCiphertext.MetadataSize]);
        XksCiphertext.Encrypt(material ?? Material, Key, version, aad, plaintext, result.Ciphertext, result.Iv, result.Tag, result.Metadata);
        return result;
    }

    private static byte[]? Decrypt(Sealed s, byte[] aad, KeyId? key = null, byte[]? material = null)
    {
        var plaintext = new byte[s.Ciphertext.Length];
        return XksCiphertext.TryDecrypt(material ?? Material, key ?? Key, aad, s.Metadata, s.Iv, s.Ciphertext, s.Tag, plaintext) ? plaintext : null;
    }

    [Fact]
    public void An_encryption_decrypts_to_its_plaintext_with_the_same_AAD()
    {
        var sealedData = Encrypt(Aad);

        Assert.Equal(Plaintext, Decrypt(sealedData, Aad));
        Assert.Equal(Plaintext.Length, sealedData.Ciphertext.Length);
    }

    [Fact]
    public void The_metadata_names_the_format_and_the_material_version()
    {
        var sealedData = Encrypt(Aad, version: 0x010203);

        Assert.True(XksCiphertext.TryReadMaterialVersion(sealedData.Metadata, out var version));
        Assert.Equal(0x010203, version);
        Assert.Equal([1, 1, 2, 3], sealedData.Metadata[..4]);
        Assert.Equal(20, XksCiphertext.MetadataSize);
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("iv")]
    [InlineData("tag")]
    [InlineData("metadata")]
    public void A_changed_byte_anywhere_fails_decryption(string part)
    {
        var sealedData = Encrypt(Aad);
        var bytes = part switch
        {
            "ciphertext" => sealedData.Ciphertext,
            "iv" => sealedData.Iv,
            "tag" => sealedData.Tag,
            _ => sealedData.Metadata,
        };
        bytes[^1] ^= 0x01;

        Assert.Null(Decrypt(sealedData, Aad));
    }

    [Fact]
    public void A_different_missing_or_added_AAD_fails_decryption()
    {
        var withAad = Encrypt(Aad);
        var without = Encrypt([]);

        Assert.Null(Decrypt(withAad, "project=blue,department=finance"u8.ToArray()));
        Assert.Null(Decrypt(withAad, []));
        Assert.Null(Decrypt(without, Aad));
        Assert.Equal(Plaintext, Decrypt(without, []));
    }

    [Fact]
    public void The_AAD_cannot_stand_in_for_the_metadata_since_both_lengths_are_authenticated()
    {
        // The specification's example: AAD || metadata would match AAD' = AAD || metadata with no metadata.
        var sealedData = Encrypt(Aad);

        Assert.Null(Decrypt(sealedData with { Metadata = [] }, [.. Aad, .. sealedData.Metadata]));
    }

    [Fact]
    public void Another_key_id_or_material_fails_decryption()
    {
        var sealedData = Encrypt(Aad);

        Assert.Null(Decrypt(sealedData, Aad, key: new KeyId(Guid.NewGuid())));
        Assert.Null(Decrypt(sealedData, Aad, material: RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public void Metadata_of_another_format_or_length_or_version_zero_is_not_read()
    {
        Assert.False(XksCiphertext.TryReadMaterialVersion(new byte[20], out _));
        Assert.False(XksCiphertext.TryReadMaterialVersion([1, 0, 0, 1], out _));
        Assert.False(XksCiphertext.TryReadMaterialVersion([2, 0, 0, 1, .. new byte[16]], out _));
        Assert.True(XksCiphertext.TryReadMaterialVersion([1, 0, 0, 1, .. new byte[16]], out var version));
        Assert.Equal(1, version);
    }

    [Fact]
    public void The_integrity_value_is_the_specifications_example()
    {
        // Appendix C of the XKS proxy API specification: 33 bytes of AAD, 13 of metadata, then IV, ciphertext and tag.
        var metadata = Convert.FromBase64String("a2V5X3ZlcnNpb249MQ==");
        var iv = Convert.FromBase64String("HMrlRw85cAJUd5Ax");
        var ciphertext = Convert.FromBase64String("ghxkK1txeDNn3q8Y");
        var tag = Convert.FromBase64String("vBxN2ncH1oEkR8WVXpmyYQ==");
        var value = new byte[32];

        XksCiphertext.IntegrityValue(Aad, metadata, iv, ciphertext, tag, value);

        Assert.Equal("qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=", Convert.ToBase64String(value));
    }

    [Fact]
    public void Two_encryptions_of_one_plaintext_differ_in_IV_salt_and_ciphertext()
    {
        var first = Encrypt(Aad);
        var second = Encrypt(Aad);

        Assert.NotEqual(first.Iv, second.Iv);
        Assert.NotEqual(first.Metadata[4..], second.Metadata[4..]);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public void An_AAD_larger_than_8_KiB_still_round_trips_through_the_pooled_buffer()
    {
        var aad = RandomNumberGenerator.GetBytes(8192);
        var plaintext = RandomNumberGenerator.GetBytes(4096);

        var sealedData = Encrypt(aad, plaintext: plaintext);

        Assert.Equal(plaintext, Decrypt(sealedData, aad));
    }
}
