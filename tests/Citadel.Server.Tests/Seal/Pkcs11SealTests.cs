using System.Security.Cryptography;
using Citadel.Server.Seal;

namespace Citadel.Server.Tests.Seal;

[Collection("softhsm")]
public sealed class Pkcs11SealTests : IDisposable
{
    private readonly SoftHsm _hsm = new();

    public void Dispose() => _hsm.Dispose();

    [Fact]
    public void Sealed_data_unseals_with_the_same_associated_data_even_after_reopening_the_token()
    {
        byte[] sealedData;
        using (var seal = new Pkcs11Seal(_hsm.Options()))
        {
            sealedData = seal.Seal("material"u8, "key-arn/1"u8);
        }

        using var reopened = new Pkcs11Seal(_hsm.Options(createKey: false));
        var plaintext = reopened.Unseal(sealedData, "key-arn/1"u8);

        Assert.Equal("material"u8.ToArray(), plaintext);
        Assert.Equal(2, sealedData[0]);
        Assert.DoesNotContain("material"u8.ToArray(), Split(sealedData));
    }

    [Fact]
    public void A_derived_key_is_the_same_after_reopening_the_token_differs_by_label_and_from_another_root_key()
    {
        var first = new byte[32];
        var second = new byte[32];
        var otherLabel = new byte[32];
        var otherRoot = new byte[32];
        using (var seal = new Pkcs11Seal(_hsm.Options()))
        {
            seal.DeriveKey("citadel/test/v1"u8, first);
            seal.DeriveKey("citadel/test/v2"u8, otherLabel);
        }

        using (var reopened = new Pkcs11Seal(_hsm.Options(createKey: false)))
        {
            reopened.DeriveKey("citadel/test/v1"u8, second);
        }

        using (var another = new Pkcs11Seal(_hsm.Options(keyLabel: "another-root")))
        {
            another.DeriveKey("citadel/test/v1"u8, otherRoot);
        }

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherLabel);
        Assert.NotEqual(first, otherRoot);
        Assert.NotEqual(new byte[32], first);
    }

    [Fact]
    public void Unsealing_with_other_associated_data_or_a_changed_byte_fails()
    {
        using var seal = new Pkcs11Seal(_hsm.Options());
        var sealedData = seal.Seal("material"u8, "key-arn/1"u8);
        var tampered = (byte[])sealedData.Clone();
        tampered[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => seal.Unseal(sealedData, "key-arn/2"u8));
        Assert.ThrowsAny<CryptographicException>(() => seal.Unseal(tampered, "key-arn/1"u8));
    }

    [Fact]
    public void A_wrong_PIN_or_a_missing_key_says_what_to_do()
    {
        var wrongPin = Assert.Throws<InvalidOperationException>(() => new Pkcs11Seal(_hsm.Options(pin: "0000")));
        var missingKey = Assert.Throws<InvalidOperationException>(() => new Pkcs11Seal(_hsm.Options(createKey: false, keyLabel: "absent")));

        Assert.Equal("The PIN for PKCS#11 token 'citadel-test' is wrong.", wrongPin.Message);
        Assert.Contains("has no AES key labelled 'absent'", missingKey.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<byte[]> Split(byte[] data)
    {
        for (var i = 0; i + 8 <= data.Length; i++)
        {
            yield return data[i..(i + 8)];
        }
    }
}

[CollectionDefinition("softhsm", DisableParallelization = true)]
public sealed class SoftHsmGroup;
