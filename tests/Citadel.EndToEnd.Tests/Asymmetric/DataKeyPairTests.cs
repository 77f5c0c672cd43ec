using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Citadel.EndToEnd.Tests.Asymmetric;

[Trait("Issue", "7")]
[Collection("asymmetric")]
public sealed class DataKeyPairTests(AsymmetricFixture fixture)
{
    private static readonly Dictionary<string, string> Context = new() { ["purpose"] = "test" };

    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("RSA_2048")]
    [InlineData("RSA_3072")]
    [InlineData("RSA_4096")]
    [InlineData("ECC_NIST_P256")]
    [InlineData("ECC_NIST_P384")]
    [InlineData("ECC_NIST_P521")]
    [InlineData("ECC_SECG_P256K1")]
    [InlineData("ECC_NIST_EDWARDS25519")]
    public async Task The_private_key_decrypts_to_the_plaintext_PKCS8_that_matches_the_public_key(string spec)
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");

        var pair = await Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = spec, EncryptionContext = Context });

        var privateKey = pair.PrivateKeyPlaintext.ToArray();
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob, EncryptionContext = Context });
        Assert.Equal(privateKey, decrypted.Plaintext.ToArray());
        Assert.Equal(spec, pair.KeyPairSpec.Value);
        Assert.Equal(key.Arn, pair.KeyId);
        Assert.Equal(key.CurrentKeyMaterialId, pair.KeyMaterialId);
        Assert.Equal(pair.PublicKey.ToArray(), PublicKeyOf(privateKey));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(pair.PrivateKeyCiphertextBlob.ToArray()) }));
    }

    [Fact]
    public async Task Without_plaintext_the_response_has_no_private_key_and_the_blob_still_decrypts()
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");

        var pair = await Kms.GenerateDataKeyPairWithoutPlaintextAsync(new GenerateDataKeyPairWithoutPlaintextRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.ECC_NIST_P256 });

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob });
        Assert.Equal(pair.PublicKey.ToArray(), PublicKeyOf(decrypted.Plaintext.ToArray()));
        Assert.Equal(DataKeyPairSpec.ECC_NIST_P256, pair.KeyPairSpec);
    }

    [Fact]
    public async Task An_asymmetric_KMS_key_cannot_encrypt_a_data_key_pair()
    {
        var key = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.RSA_2048 }));

        Assert.Equal("You cannot generate a data key with an asymmetric CMK", error.Message);
    }

    [Fact]
    public async Task A_signing_key_cannot_encrypt_a_data_key_pair()
    {
        var key = await fixture.KeyAsync("ECC_NIST_P256", "SIGN_VERIFY");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.RSA_2048 }));

        Assert.Equal($"{key.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.", error.Message);
    }

    [Fact]
    public async Task An_SM2_data_key_pair_is_refused_as_unsupported()
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => Kms.GenerateDataKeyPairAsync(new GenerateDataKeyPairRequest { KeyId = key.KeyId, KeyPairSpec = DataKeyPairSpec.SM2 }));
    }

    /// <summary>The SubjectPublicKeyInfo of a PKCS#8 private key, computed by BouncyCastle (independent of .NET's export).</summary>
    private static byte[] PublicKeyOf(byte[] pkcs8)
    {
        var info = PrivateKeyInfo.GetInstance(pkcs8);
        if (info.PrivateKeyAlgorithm.Algorithm.Id == "1.2.840.113549.1.1.1")
        {
            using var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return rsa.ExportSubjectPublicKeyInfo();
        }

        if (info.PrivateKeyAlgorithm.Algorithm.Id == "1.2.840.10045.2.1")
        {
            using var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            return ec.ExportSubjectPublicKeyInfo();
        }

        var privateKey = (Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(pkcs8);
        return SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(privateKey.GeneratePublicKey()).GetDerEncoded();
    }
}
