using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests.Asymmetric;

[Trait("Issue", "7")]
[Collection("asymmetric")]
public sealed class EncryptionTests(AsymmetricFixture fixture)
{
    private static readonly byte[] Secret = "a database password"u8.ToArray();

    private AmazonKeyManagementServiceClient Kms => fixture.Kms;

    [Theory]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_1", 214)]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_256", 190)]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_1", 342)]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_256", 318)]
    [InlineData("RSA_4096", "RSAES_OAEP_SHA_1", 470)]
    [InlineData("RSA_4096", "RSAES_OAEP_SHA_256", 446)]
    public async Task The_largest_plaintext_round_trips_and_one_byte_more_is_a_ValidationException(string spec, string algorithm, int max)
    {
        var key = await fixture.KeyAsync(spec, "ENCRYPT_DECRYPT");
        var plaintext = RandomNumberGenerator.GetBytes(max);

        var encrypted = await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(plaintext), EncryptionAlgorithm = algorithm });
        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = encrypted.CiphertextBlob, EncryptionAlgorithm = algorithm });
        var tooLarge = await AsymmetricFixture.ErrorAsync(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(new byte[max + 1]), EncryptionAlgorithm = algorithm }));

        Assert.Equal(algorithm, encrypted.EncryptionAlgorithm.Value);
        Assert.Equal(key.Arn, encrypted.KeyId);
        Assert.Equal(int.Parse(spec[4..], System.Globalization.CultureInfo.InvariantCulture) / 8, encrypted.CiphertextBlob.Length);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(algorithm, decrypted.EncryptionAlgorithm.Value);
        Assert.Equal(key.Arn, decrypted.KeyId);
        Assert.Equal("ValidationException", tooLarge.ErrorCode);
        Assert.Equal($"Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {max} bytes.", tooLarge.Message);
    }

    [Theory]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_256")]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_1")]
    [InlineData("RSA_4096", "RSAES_OAEP_SHA_256")]
    public async Task Data_encrypted_outside_Citadel_with_the_public_key_decrypts_inside(string spec, string algorithm)
    {
        var key = await fixture.KeyAsync(spec, "ENCRYPT_DECRYPT");
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(await fixture.PublicKeyAsync(key.KeyId), out _);
        var ciphertext = rsa.Encrypt(Secret, algorithm == "RSAES_OAEP_SHA_1" ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256);

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = key.Arn, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = algorithm });

        Assert.Equal(Secret, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task Data_encrypted_with_openssl_decrypts_inside()
    {
        var key = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var directory = AsymmetricFixture.TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(directory, "pub.der"), await fixture.PublicKeyAsync(key.KeyId));
        await File.WriteAllBytesAsync(Path.Combine(directory, "plain"), Secret);
        await AsymmetricFixture.OpenSslAsync(directory, "pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.der", "-keyform", "DER", "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256", "-in", "plain", "-out", "cipher");

        var decrypted = await Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(await File.ReadAllBytesAsync(Path.Combine(directory, "cipher"))), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" });

        Assert.Equal(Secret, decrypted.Plaintext.ToArray());
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Encrypt_with_an_RSA_key_and_no_algorithm_is_an_InvalidKeyUsageException()
    {
        var key = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Secret) }));

        Assert.Equal("Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.", error.Message);
    }

    [Fact]
    public async Task Encrypt_with_a_symmetric_key_and_an_RSA_algorithm_is_an_InvalidKeyUsageException()
    {
        var key = await fixture.KeyAsync("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Secret), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }));

        Assert.Equal("Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.", error.Message);
    }

    [Fact]
    public async Task A_tampered_RSA_ciphertext_and_one_without_KeyId_are_InvalidCiphertextException()
    {
        var key = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var encrypted = (await Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Secret), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" })).CiphertextBlob.ToArray();
        var tampered = encrypted.ToArray();
        tampered[100] ^= 1;

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(tampered), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(encrypted), EncryptionAlgorithm = "RSAES_OAEP_SHA_1" }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(encrypted), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(encrypted) }));
    }

    [Fact]
    public async Task Decrypt_with_an_RSA_signing_key_names_the_usage()
    {
        var key = await fixture.KeyAsync("RSA_2048", "SIGN_VERIFY");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => Kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(new byte[256]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" }));

        Assert.Equal($"{key.Arn} key usage is SIGN_VERIFY which is not valid for Decrypt.", error.Message);
    }

    [Theory]
    [InlineData("GenerateDataKey")]
    [InlineData("GenerateDataKeyWithoutPlaintext")]
    public async Task GenerateDataKey_with_an_RSA_encryption_key_is_an_InvalidKeyUsageException(string operation)
    {
        var key = await fixture.KeyAsync("RSA_2048", "ENCRYPT_DECRYPT");

        var error = await Assert.ThrowsAsync<InvalidKeyUsageException>(() => operation == "GenerateDataKey"
            ? Kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 })
            : Kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 }));

        Assert.Equal("You cannot generate a data key with an asymmetric CMK", error.Message);
    }
}
