using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.Asymmetric;

[Trait("Issue", "7")]
[Collection("asymmetric")]
public sealed class KeySpecMetadataTests(AsymmetricFixture fixture)
{
    private const string RsaSigning = "RSASSA_PKCS1_V1_5_SHA_256,RSASSA_PKCS1_V1_5_SHA_384,RSASSA_PKCS1_V1_5_SHA_512,RSASSA_PSS_SHA_256,RSASSA_PSS_SHA_384,RSASSA_PSS_SHA_512";

    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT", "RSAES_OAEP_SHA_1,RSAES_OAEP_SHA_256", "", "", 294)]
    [InlineData("RSA_3072", "SIGN_VERIFY", "", RsaSigning, "", 422)]
    [InlineData("RSA_4096", "ENCRYPT_DECRYPT", "RSAES_OAEP_SHA_1,RSAES_OAEP_SHA_256", "", "", 550)]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY", "", "ECDSA_SHA_256", "", 91)]
    [InlineData("ECC_NIST_P384", "SIGN_VERIFY", "", "ECDSA_SHA_384", "", 120)]
    [InlineData("ECC_NIST_P521", "SIGN_VERIFY", "", "ECDSA_SHA_512", "", 158)]
    [InlineData("ECC_NIST_P256", "KEY_AGREEMENT", "", "", "ECDH", 91)]
    [InlineData("ECC_NIST_P521", "KEY_AGREEMENT", "", "", "ECDH", 158)]
    [InlineData("ECC_SECG_P256K1", "SIGN_VERIFY", "", "ECDSA_SHA_256", "", 88)]
    [InlineData("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", "", "ED25519_SHA_512,ED25519_PH_SHA_512", "", 44)]
    [InlineData("ML_DSA_44", "SIGN_VERIFY", "", "ML_DSA_SHAKE_256", "", 1334)]
    [InlineData("ML_DSA_65", "SIGN_VERIFY", "", "ML_DSA_SHAKE_256", "", 1974)]
    [InlineData("ML_DSA_87", "SIGN_VERIFY", "", "ML_DSA_SHAKE_256", "", 2614)]
    public async Task DescribeKey_and_GetPublicKey_list_the_algorithms_of_the_spec_and_usage(string spec, string usage, string encryption, string signing, string agreement, int publicKeyLength)
    {
        var key = await fixture.KeyAsync(spec, usage);

        var described = (await Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        var publicKey = await Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId });

        Assert.Equal(spec, described.KeySpec.Value);
        Assert.Equal(usage, described.KeyUsage.Value);
        Assert.Equal(encryption, Join(described.EncryptionAlgorithms));
        Assert.Equal(signing, Join(described.SigningAlgorithms));
        Assert.Equal(agreement, Join(described.KeyAgreementAlgorithms));
        Assert.Equal("", Join(described.MacAlgorithms));
        Assert.Equal(key.Arn, publicKey.KeyId);
        Assert.Equal(spec, publicKey.KeySpec.Value);
        Assert.Equal(usage, publicKey.KeyUsage.Value);
        Assert.Equal(encryption, Join(publicKey.EncryptionAlgorithms));
        Assert.Equal(signing, Join(publicKey.SigningAlgorithms));
        Assert.Equal(agreement, Join(publicKey.KeyAgreementAlgorithms));
        Assert.Equal(publicKeyLength, publicKey.PublicKey.Length);
    }

    [Theory]
    [InlineData("HMAC_224", "HMAC_SHA_224")]
    [InlineData("HMAC_512", "HMAC_SHA_512")]
    public async Task An_HMAC_key_lists_its_one_MAC_algorithm_and_has_no_public_key(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "GENERATE_VERIFY_MAC");

        var error = await Assert.ThrowsAsync<UnsupportedOperationException>(() => Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId }));

        Assert.Equal(algorithm, Join(key.MacAlgorithms));
        Assert.Equal("", Join(key.EncryptionAlgorithms));
        Assert.StartsWith("The service returned an error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetPublicKey_of_a_symmetric_key_is_an_UnsupportedOperationException()
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => Kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId }));
    }

    [Theory]
    [InlineData("HMAC_256", null, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")]
    [InlineData("RSA_2048", null, "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.")]
    [InlineData("ECC_SECG_P256K1", "KEY_AGREEMENT", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1.")]
    [InlineData("ECC_NIST_P256", "ENCRYPT_DECRYPT", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256.")]
    [InlineData("RSA_2048", "KEY_AGREEMENT", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048.")]
    [InlineData("HMAC_256", "SIGN_VERIFY", "KeyUsage SIGN_VERIFY is not compatible with KeySpec HMAC_256.")]
    [InlineData("ML_DSA_65", "ENCRYPT_DECRYPT", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ML_DSA_65.")]
    public async Task CreateKey_refuses_a_usage_the_spec_does_not_allow(string spec, string? usage, string message)
    {
        var error = await AsymmetricFixture.ErrorAsync(() => Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage }));

        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task CreateKey_refuses_SM2_clearly()
    {
        var error = await Assert.ThrowsAsync<UnsupportedOperationException>(() => Kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.SM2, KeyUsage = KeyUsageType.SIGN_VERIFY }));

        Assert.Contains("SM2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Asymmetric_and_HMAC_keys_do_not_rotate()
    {
        var key = await fixture.KeyAsync("HMAC_256", "GENERATE_VERIFY_MAC");

        var error = await Assert.ThrowsAsync<UnsupportedOperationException>(() => Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }));

        Assert.Equal($"{key.Arn} key spec is HMAC_256 which is not valid for this operation.", error.Message);
    }

    private static string Join(IEnumerable<string>? values) => values is null ? "" : string.Join(',', values);
}
