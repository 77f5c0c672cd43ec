using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

[Collection("server")]
[Trait("Issue", "7")]
public sealed class ReEncryptAsymmetricTests(ServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task ReEncrypt_moves_an_RSA_ciphertext_to_a_symmetric_key_and_back()
    {
        var rsa = (await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT })).KeyMetadata;
        var symmetric = await _kms.NewKeyAsync();
        var rsaBlob = (await _kms.EncryptAsync(new EncryptRequest { KeyId = rsa.KeyId, Plaintext = new MemoryStream("moving"u8.ToArray()), EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256 })).CiphertextBlob;

        var toSymmetric = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = rsaBlob,
            SourceKeyId = rsa.KeyId,
            SourceEncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256,
            DestinationKeyId = symmetric.KeyId,
        });
        var backToRsa = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = toSymmetric.CiphertextBlob,
            DestinationKeyId = rsa.KeyId,
            DestinationEncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1,
        });

        Assert.Equal(rsa.Arn, toSymmetric.SourceKeyId);
        Assert.Equal(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, toSymmetric.SourceEncryptionAlgorithm);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, toSymmetric.DestinationEncryptionAlgorithm);
        Assert.Equal("moving"u8.ToArray(), (await _kms.DecryptAsync(toSymmetric.CiphertextBlob)).Plaintext.ToArray());
        Assert.Equal(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1, backToRsa.DestinationEncryptionAlgorithm);
        var final = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = backToRsa.CiphertextBlob, KeyId = rsa.KeyId, EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1 });
        Assert.Equal("moving"u8.ToArray(), final.Plaintext.ToArray());
    }
}
