using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Keys;

public sealed class KeySpecRulesTests
{
    [Theory]
    [InlineData(KeySpec.Rsa2048, EncryptionAlgorithm.RsaesOaepSha1, 214)]
    [InlineData(KeySpec.Rsa2048, EncryptionAlgorithm.RsaesOaepSha256, 190)]
    [InlineData(KeySpec.Rsa3072, EncryptionAlgorithm.RsaesOaepSha1, 342)]
    [InlineData(KeySpec.Rsa3072, EncryptionAlgorithm.RsaesOaepSha256, 318)]
    [InlineData(KeySpec.Rsa4096, EncryptionAlgorithm.RsaesOaepSha1, 470)]
    [InlineData(KeySpec.Rsa4096, EncryptionAlgorithm.RsaesOaepSha256, 446)]
    public void The_plaintext_limits_are_the_ones_AWS_documents(KeySpec spec, EncryptionAlgorithm algorithm, int max)
    {
        Assert.Equal(max, KeySpecRules.MaxPlaintext(spec, algorithm));
    }

    [Theory]
    [InlineData(KeySpec.SymmetricDefault, KeyUsage.EncryptDecrypt, true)]
    [InlineData(KeySpec.SymmetricDefault, KeyUsage.SignVerify, false)]
    [InlineData(KeySpec.Rsa4096, KeyUsage.EncryptDecrypt, true)]
    [InlineData(KeySpec.Rsa4096, KeyUsage.KeyAgreement, false)]
    [InlineData(KeySpec.EccNistP384, KeyUsage.KeyAgreement, true)]
    [InlineData(KeySpec.EccNistP384, KeyUsage.EncryptDecrypt, false)]
    [InlineData(KeySpec.EccSecgP256K1, KeyUsage.KeyAgreement, false)]
    [InlineData(KeySpec.EccNistEdwards25519, KeyUsage.KeyAgreement, false)]
    [InlineData(KeySpec.MlDsa87, KeyUsage.SignVerify, true)]
    [InlineData(KeySpec.Hmac384, KeyUsage.GenerateVerifyMac, true)]
    [InlineData(KeySpec.Hmac384, KeyUsage.EncryptDecrypt, false)]
    public void Each_spec_allows_the_usages_CreateKey_documents(KeySpec spec, KeyUsage usage, bool allowed)
    {
        Assert.Equal(allowed, KeySpecRules.CheckCreate(spec, usage) is null);
    }

    [Fact]
    public void Only_symmetric_keys_may_omit_KeyUsage()
    {
        Assert.Null(KeySpecRules.CheckCreate(KeySpec.SymmetricDefault, null));
        Assert.Equal(
            new KmsError(KmsErrorCode.Validation, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."),
            KeySpecRules.CheckCreate(KeySpec.Hmac224, null));
    }

    [Fact]
    public void The_algorithm_is_checked_before_the_message_type_and_the_digest_length()
    {
        var wrongAlgorithm = KeySpecRules.CheckSigning(KeySpec.EccNistP256, SigningAlgorithm.EcdsaSha384, MessageType.Digest, 20);
        var wrongLength = KeySpecRules.CheckSigning(KeySpec.EccNistP256, SigningAlgorithm.EcdsaSha256, MessageType.Digest, 20);
        var right = KeySpecRules.CheckSigning(KeySpec.EccNistP256, SigningAlgorithm.EcdsaSha256, MessageType.Digest, 32);
        var rawOfAnyLength = KeySpecRules.CheckSigning(KeySpec.Rsa2048, SigningAlgorithm.RsassaPssSha512, MessageType.Raw, 4096);

        Assert.Equal(new KmsError(KmsErrorCode.InvalidKeyUsage, "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."), wrongAlgorithm);
        Assert.Equal(new KmsError(KmsErrorCode.Validation, "Digest is invalid length for algorithm ECDSA_SHA_256."), wrongLength);
        Assert.Null(right);
        Assert.Null(rawOfAnyLength);
    }

    [Theory]
    [InlineData(KeySpec.Hmac224, MacAlgorithm.HmacSha224, true)]
    [InlineData(KeySpec.Hmac224, MacAlgorithm.HmacSha256, false)]
    [InlineData(KeySpec.Hmac512, MacAlgorithm.HmacSha512, true)]
    public void An_HMAC_key_computes_only_its_own_algorithm(KeySpec spec, MacAlgorithm algorithm, bool allowed)
    {
        Assert.Equal(allowed, KeySpecRules.CheckMac(spec, algorithm) is null);
    }
}
