using Citadel.Core.Crypto;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Crypto;

public sealed class ExternalKeyStoreCiphertextTests
{
    private static readonly KeyId Key = new(Guid.Parse("1234abcd-12ab-34cd-56ef-1234567890ab"));

    private static ExternalCiphertextParts Parts(int ivLength = 12, int metadataLength = 3) =>
        new(Key, Enumerable.Repeat((byte)1, ivLength).ToArray(), Enumerable.Repeat((byte)2, 16).ToArray(), Enumerable.Repeat((byte)3, metadataLength).ToArray(), [4, 5, 6, 7]);

    [Fact]
    public void The_integrity_value_is_the_known_answer_of_the_XKS_proxy_API_specification_appendix_C()
    {
        var aad = "project=nile,department=marketing"u8.ToArray();
        var metadata = "key_version=1"u8.ToArray();
        var iv = Convert.FromHexString("1ccae5470f39700254779031");
        var ciphertext = Convert.FromHexString("821c642b5b71783367deaf18");
        var tag = Convert.FromHexString("bc1c4dda7707d6812447c5955e99b261");

        var value = ExternalKeyStoreCiphertext.IntegrityValue(aad, metadata, iv, ciphertext, tag);

        Assert.Equal("qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=", Convert.ToBase64String(value));
    }

    [Theory]
    [InlineData(12, 0)]
    [InlineData(16, 20)]
    public void A_composed_blob_parses_back_to_its_parts_and_names_its_key(int ivLength, int metadataLength)
    {
        var parts = Parts(ivLength, metadataLength);

        var blob = ExternalKeyStoreCiphertext.Compose(parts);
        var parsed = ExternalKeyStoreCiphertext.TryParse(blob);

        Assert.Equal(3, blob[0]);
        Assert.True(ExternalKeyStoreCiphertext.TryReadKeyId(blob, out var keyId));
        Assert.Equal(Key, keyId);
        Assert.NotNull(parsed);
        Assert.Equal(parts.InitializationVector, parsed.InitializationVector);
        Assert.Equal(parts.AuthenticationTag, parsed.AuthenticationTag);
        Assert.Equal(parts.CiphertextMetadata, parsed.CiphertextMetadata);
        Assert.Equal(parts.Ciphertext, parsed.Ciphertext);
    }

    [Fact]
    public void A_truncated_blob_a_bad_IV_length_or_too_much_metadata_is_not_parsed()
    {
        var blob = ExternalKeyStoreCiphertext.Compose(Parts());
        var badIv = (byte[])blob.Clone();
        badIv[17] = 13;
        var badMetadata = ExternalKeyStoreCiphertext.Compose(Parts());
        badMetadata[17 + 1 + 12 + 16] = 21;

        Assert.Null(ExternalKeyStoreCiphertext.TryParse(blob.AsSpan(0, 17 + 1 + 12 + 16 + 1 + 3)));
        Assert.Null(ExternalKeyStoreCiphertext.TryParse(badIv));
        Assert.Null(ExternalKeyStoreCiphertext.TryParse(badMetadata));
        Assert.Null(ExternalKeyStoreCiphertext.TryParse([1, .. blob[1..]]));
    }

    [Fact]
    public void The_associated_data_binds_the_key_and_the_encryption_context()
    {
        var a = ExternalKeyStoreCiphertext.AssociatedData(Key, new Dictionary<string, string> { ["k"] = "v" });
        var b = ExternalKeyStoreCiphertext.AssociatedData(Key, new Dictionary<string, string> { ["k"] = "w" });
        var c = ExternalKeyStoreCiphertext.AssociatedData(KeyId.New(), new Dictionary<string, string> { ["k"] = "v" });

        Assert.NotEqual(a, b);
        Assert.NotEqual(a[..17], c[..17]);
        Assert.Equal(a[..17], ExternalKeyStoreCiphertext.Compose(Parts())[..17]);
    }

    [Fact]
    public void Only_an_encrypt_output_of_the_specified_sizes_is_well_formed()
    {
        Assert.True(ExternalKeyStoreCiphertext.IsWellFormed(4, new byte[12], new byte[16], new byte[20], new byte[4]));
        Assert.False(ExternalKeyStoreCiphertext.IsWellFormed(4, new byte[8], new byte[16], [], new byte[4]));
        Assert.False(ExternalKeyStoreCiphertext.IsWellFormed(4, new byte[12], new byte[12], [], new byte[4]));
        Assert.False(ExternalKeyStoreCiphertext.IsWellFormed(4, new byte[12], new byte[16], new byte[21], new byte[4]));
        Assert.False(ExternalKeyStoreCiphertext.IsWellFormed(4, new byte[12], new byte[16], [], new byte[5]));
    }
}
