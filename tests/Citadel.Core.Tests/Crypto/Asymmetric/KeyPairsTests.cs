using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Crypto.Asymmetric;

public sealed class KeyPairsTests
{
    /// <summary>
    /// Known private keys in hand-written PKCS#8 (RFC 5208/5915/8410), and the SubjectPublicKeyInfo
    /// (RFC 5480/8410) their public keys must encode to: P-256 from RFC 6979 A.2.5, secp256k1 with
    /// private key 1 (so the public key is the generator of SEC 2), Ed25519 from RFC 8032 §7.1 test 2.
    /// </summary>
    public static TheoryData<string, string, string> KnownKeys => new()
    {
        {
            "EccNistP256",
            "3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420" + "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
            "3059301306072a8648ce3d020106082a8648ce3d03010703420004"
                + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
                + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
        },
        {
            "EccSecgP256K1",
            "303e020100301006072a8648ce3d020106052b8104000a042730250201010420" + "0000000000000000000000000000000000000000000000000000000000000001",
            "3056301006072a8648ce3d020106052b8104000a03420004"
                + "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                + "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
        },
        {
            "EccNistEdwards25519",
            "302e020100300506032b657004220420" + "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "302a300506032b6570032100" + "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
        },
    };

    [Theory]
    [MemberData(nameof(KnownKeys))]
    public void The_public_key_of_a_known_private_key_is_its_known_SubjectPublicKeyInfo(string spec, string pkcs8, string spki)
    {
        var publicKey = KeyPairs.PublicKeyOf(Enum.Parse<KeySpec>(spec), Convert.FromHexString(pkcs8));

        Assert.Equal(spki, Convert.ToHexStringLower(publicKey));
    }

    [Theory]
    [InlineData(KeySpec.Rsa2048, "30820122300d06092a864886f70d01010105000382010f003082010a0282010100", 294)]
    [InlineData(KeySpec.Rsa3072, "308201a2300d06092a864886f70d01010105000382018f003082018a0282018100", 422)]
    [InlineData(KeySpec.EccNistP384, "3076301006072a8648ce3d020106052b81040022036200", 120)]
    [InlineData(KeySpec.EccNistP521, "30819b301006072a8648ce3d020106052b810400230381860004", 158)]
    [InlineData(KeySpec.EccNistEdwards25519, "302a300506032b6570032100", 44)]
    // id-ml-dsa-44/65/87 (2.16.840.1.101.3.4.3.17/18/19), public keys of 1312, 1952 and 2592 bytes (FIPS 204).
    [InlineData(KeySpec.MlDsa44, "30820532300b0609608648016503040311038205210", 1334)]
    [InlineData(KeySpec.MlDsa65, "308207b2300b0609608648016503040312038207a10", 1974)]
    [InlineData(KeySpec.MlDsa87, "30820a32300b060960864801650304031303820a210", 2614)]
    public void A_generated_key_encodes_its_public_key_as_the_spec_prescribes(KeySpec spec, string prefix, int length)
    {
        var pkcs8 = KeyPairs.Generate(spec);

        var publicKey = Convert.ToHexStringLower(KeyPairs.PublicKeyOf(spec, pkcs8));

        Assert.StartsWith(prefix, publicKey, StringComparison.Ordinal);
        Assert.Equal(length * 2, publicKey.Length);
    }

    [Theory]
    [InlineData(KeySpec.MlDsa44)]
    [InlineData(KeySpec.MlDsa87)]
    public void ML_DSA_private_keys_are_stored_in_the_32_byte_seed_form(KeySpec spec)
    {
        var pkcs8 = KeyPairs.Generate(spec);

        // PrivateKeyInfo { version 0, id-ml-dsa-*, OCTET STRING { [0] seed(32) } } (RFC 9881).
        Assert.Equal(54, pkcs8.Length);
        Assert.Equal("8020", Convert.ToHexStringLower(pkcs8.AsSpan(20, 2)));
    }

    [Fact]
    public void SM2_is_not_supported()
    {
        Assert.False(KeyPairs.IsSupported(KeySpec.Sm2));
        Assert.False(KeyPairs.IsSupported(KeySpec.SymmetricDefault));
        Assert.False(KeyPairs.IsSupported(KeySpec.Hmac256));
        Assert.True(KeyPairs.IsSupported(KeySpec.MlDsa65));
    }
}
