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
