using System.Security.Cryptography;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Crypto.Asymmetric;

public sealed class SignaturesTests
{
    private const string Ed25519Test2Key = "302e020100300506032b657004220420" + "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

    private const string Ed25519phAbcKey = "302e020100300506032b657004220420" + "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42";

    [Fact]
    public void Ed25519_matches_RFC_8032_test_2()
    {
        var signature = Signatures.Sign(KeySpec.EccNistEdwards25519, Convert.FromHexString(Ed25519Test2Key), SigningAlgorithm.Ed25519Sha512, MessageType.Raw, [0x72]);

        Assert.Equal(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void Ed25519ph_matches_RFC_8032_test_abc()
    {
        // KMS's ED25519_PH_SHA_512 is Ed25519ph over the Message bytes: SHA-512 is applied to them inside.
        var signature = Signatures.Sign(KeySpec.EccNistEdwards25519, Convert.FromHexString(Ed25519phAbcKey), SigningAlgorithm.Ed25519PhSha512, MessageType.Digest, "abc"u8);

        Assert.Equal(
            "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406",
            Convert.ToHexStringLower(signature));
    }

    [Theory]
    [InlineData(KeySpec.Rsa2048, SigningAlgorithm.RsassaPssSha256)]
    [InlineData(KeySpec.Rsa2048, SigningAlgorithm.RsassaPkcs1V15Sha512)]
    [InlineData(KeySpec.EccNistP256, SigningAlgorithm.EcdsaSha256)]
    [InlineData(KeySpec.EccSecgP256K1, SigningAlgorithm.EcdsaSha256)]
    [InlineData(KeySpec.EccNistP521, SigningAlgorithm.EcdsaSha512)]
    [InlineData(KeySpec.EccNistEdwards25519, SigningAlgorithm.Ed25519Sha512)]
    [InlineData(KeySpec.MlDsa44, SigningAlgorithm.MlDsaShake256)]
    public void A_signature_verifies_under_the_public_key_and_not_for_another_message(KeySpec spec, SigningAlgorithm algorithm)
    {
        var pkcs8 = KeyPairs.Generate(spec);
        var spki = KeyPairs.PublicKeyOf(spec, pkcs8);

        var signature = Signatures.Sign(spec, pkcs8, algorithm, MessageType.Raw, "message"u8);

        Assert.True(Signatures.Verify(spec, spki, algorithm, MessageType.Raw, "message"u8, signature));
        Assert.False(Signatures.Verify(spec, spki, algorithm, MessageType.Raw, "messagf"u8, signature));
        Assert.False(Signatures.Verify(spec, spki, algorithm, MessageType.Raw, "message"u8, signature.AsSpan(1)));
    }

    [Theory]
    [InlineData(SigningAlgorithm.RsassaPssSha256)]
    [InlineData(SigningAlgorithm.RsassaPkcs1V15Sha256)]
    public void An_RSA_signature_with_its_leading_zero_octet_left_off_is_invalid(SigningAlgorithm algorithm)
    {
        // RFC 8017, 8.1.2 step 1: the signature must be as long as the modulus. About one signature in
        // 200 starts with a zero octet; OpenSSL accepted a PSS one without it (a flaky test found this).
        var pkcs8 = KeyPairs.Generate(KeySpec.Rsa2048);
        var spki = KeyPairs.PublicKeyOf(KeySpec.Rsa2048, pkcs8);
        byte[]? signature = null;
        for (var i = 0; i < 20_000 && signature is null; i++)
        {
            var candidate = Signatures.Sign(KeySpec.Rsa2048, pkcs8, algorithm, MessageType.Raw, BitConverter.GetBytes(i));
            if (candidate[0] == 0)
            {
                Assert.True(Signatures.Verify(KeySpec.Rsa2048, spki, algorithm, MessageType.Raw, BitConverter.GetBytes(i), candidate));
                Assert.False(Signatures.Verify(KeySpec.Rsa2048, spki, algorithm, MessageType.Raw, BitConverter.GetBytes(i), candidate.AsSpan(1)));
                signature = candidate;
            }
        }

        Assert.NotNull(signature);
    }

    [Fact]
    public void ECDSA_signatures_are_DER_sequences_of_two_integers()
    {
        var pkcs8 = KeyPairs.Generate(KeySpec.EccNistP256);

        var signature = Signatures.Sign(KeySpec.EccNistP256, pkcs8, SigningAlgorithm.EcdsaSha256, MessageType.Digest, SHA256.HashData("m"u8));

        Assert.Equal(0x30, signature[0]);
        Assert.Equal(signature.Length - 2, signature[1]);
        Assert.Equal(0x02, signature[2]);
    }

    [Fact]
    public void A_DIGEST_signature_verifies_as_a_RAW_signature_of_the_message_it_came_from()
    {
        var pkcs8 = KeyPairs.Generate(KeySpec.EccNistP384);
        var spki = KeyPairs.PublicKeyOf(KeySpec.EccNistP384, pkcs8);

        var signature = Signatures.Sign(KeySpec.EccNistP384, pkcs8, SigningAlgorithm.EcdsaSha384, MessageType.Digest, SHA384.HashData("m"u8));

        Assert.True(Signatures.Verify(KeySpec.EccNistP384, spki, SigningAlgorithm.EcdsaSha384, MessageType.Raw, "m"u8, signature));
    }

    [Fact]
    public void RSA_OAEP_and_ECDH_round_trip()
    {
        var rsa = KeyPairs.Generate(KeySpec.Rsa2048);
        var ciphertext = RsaOaep.Encrypt(KeyPairs.PublicKeyOf(KeySpec.Rsa2048, rsa), EncryptionAlgorithm.RsaesOaepSha256, "secret"u8);
        var alice = KeyPairs.Generate(KeySpec.EccNistP256);
        var bob = KeyPairs.Generate(KeySpec.EccNistP256);
        var other = KeyPairs.Generate(KeySpec.EccNistP384);

        Assert.Equal("secret"u8.ToArray(), RsaOaep.Decrypt(rsa, EncryptionAlgorithm.RsaesOaepSha256, ciphertext));
        Assert.Null(RsaOaep.Decrypt(rsa, EncryptionAlgorithm.RsaesOaepSha1, ciphertext));
        Assert.Equal(
            KeyAgreement.DeriveSharedSecret(KeySpec.EccNistP256, alice, KeyPairs.PublicKeyOf(KeySpec.EccNistP256, bob)),
            KeyAgreement.DeriveSharedSecret(KeySpec.EccNistP256, bob, KeyPairs.PublicKeyOf(KeySpec.EccNistP256, alice)));
        Assert.Null(KeyAgreement.DeriveSharedSecret(KeySpec.EccNistP256, alice, KeyPairs.PublicKeyOf(KeySpec.EccNistP384, other)));
    }
}
