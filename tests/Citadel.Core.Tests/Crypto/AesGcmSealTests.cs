using System.Security.Cryptography;
using Citadel.Core.Crypto;

namespace Citadel.Core.Tests.Crypto;

public sealed class AesGcmSealTests
{
    private static readonly byte[] RootKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void Sealed_data_unseals_with_the_same_associated_data()
    {
        using var seal = new AesGcmSeal(RootKey);
        var sealedData = seal.Seal("material"u8, "ad"u8);

        var plaintext = seal.Unseal(sealedData, "ad"u8);

        Assert.Equal("material"u8.ToArray(), plaintext);
    }

    [Fact]
    public void Sealed_data_is_version_nonce_ciphertext_and_tag()
    {
        using var seal = new AesGcmSeal(RootKey);

        var sealedData = seal.Seal("material"u8, "ad"u8);

        Assert.Equal(1 + 12 + 8 + 16, sealedData.Length);
        Assert.Equal(1, sealedData[0]);
    }

    [Fact]
    public void Unseal_with_other_associated_data_throws()
    {
        using var seal = new AesGcmSeal(RootKey);
        var sealedData = seal.Seal("material"u8, "ad"u8);

        Assert.Throws<AuthenticationTagMismatchException>(() => seal.Unseal(sealedData, "other"u8));
    }

    [Fact]
    public void Unseal_with_another_root_key_throws()
    {
        using var seal = new AesGcmSeal(RootKey);
        using var other = new AesGcmSeal(RandomNumberGenerator.GetBytes(32));
        var sealedData = seal.Seal("material"u8, "ad"u8);

        Assert.Throws<AuthenticationTagMismatchException>(() => other.Unseal(sealedData, "ad"u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(20)]
    [InlineData(36)]
    public void Unseal_of_changed_data_throws(int index)
    {
        using var seal = new AesGcmSeal(RootKey);
        var sealedData = seal.Seal("material"u8, "ad"u8);
        sealedData[index] ^= 0x01;

        Assert.Throws<AuthenticationTagMismatchException>(() => seal.Unseal(sealedData, "ad"u8));
    }

    [Fact]
    public void Unseal_of_data_shorter_than_the_overhead_throws()
    {
        using var seal = new AesGcmSeal(RootKey);

        var exception = Assert.Throws<AuthenticationTagMismatchException>(() => seal.Unseal(new byte[28], "ad"u8));

        Assert.Equal("The sealed data is not in a known format.", exception.Message);
    }

    /// <summary>
    /// Every node of a cluster must derive the same key from the same root key, whatever its version: the answer is
    /// frozen (RFC 5869's HKDF-SHA256, no salt, computed apart from .NET), and another label or root key gives another.
    /// </summary>
    [Fact]
    public void A_derived_key_is_HKDF_SHA256_of_the_root_key_with_the_label_as_info()
    {
        var rootKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        using var seal = new AesGcmSeal(rootKey);
        var key = new byte[32];
        var otherLabel = new byte[32];
        var otherRoot = new byte[32];

        seal.DeriveKey("citadel/cloudtrail/lookup-events/next-token/v1"u8, key);
        seal.DeriveKey("citadel/cloudtrail/lookup-events/next-token/v2"u8, otherLabel);
        using (var other = new AesGcmSeal(RootKey))
        {
            other.DeriveKey("citadel/cloudtrail/lookup-events/next-token/v1"u8, otherRoot);
        }

        Assert.Equal("d40ac6fc674a0634f726f855b0ed47fc70ce8f77a7068a93cbf0e2a7bcaa2d14", Convert.ToHexStringLower(key));
        Assert.NotEqual(key, otherLabel);
        Assert.NotEqual(key, otherRoot);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_root_key_that_is_not_256_bits_is_refused(int length)
    {
        var rootKey = new byte[length];

        var exception = Assert.Throws<ArgumentException>(() => new AesGcmSeal(rootKey));

        Assert.Equal("rootKey", exception.ParamName);
    }
}
