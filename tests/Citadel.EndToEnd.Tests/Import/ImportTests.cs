using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using static Citadel.EndToEnd.Tests.Kms;

namespace Citadel.EndToEnd.Tests.Import;

[Collection("server")]
[Trait("Issue", "8")]
public sealed class ImportTests(ServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Theory]
    [InlineData("RSAES_OAEP_SHA_1")]
    [InlineData("RSAES_OAEP_SHA_256")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_1")]
    [InlineData("RSA_AES_KEY_WRAP_SHA_256")]
    public async Task Imported_material_encrypts_until_deleted_and_again_when_the_same_material_is_reimported(string algorithm)
    {
        var key = await _kms.NewExternalKeyAsync();
        Assert.Equal(KeyState.PendingImport, key.KeyState);
        Assert.Equal(OriginType.EXTERNAL, key.Origin);
        Assert.False(key.Enabled);
        await FailsAsync<KMSInvalidStateException>(() => _kms.EncryptAsync(key.KeyId, [1]), "KMSInvalidStateException", $"{key.Arn} is pending import.");
        var material = RandomNumberGenerator.GetBytes(32);

        var imported = await _kms.ImportAsync(key.KeyId, material, algorithm);

        Assert.Equal(key.Arn, imported.KeyId);
        Assert.Matches("^[0-9a-f]{64}$", imported.KeyMaterialId);
        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal(KeyState.Enabled, described.KeyState);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, described.ExpirationModel);
        Assert.Null(described.ValidTo);
        Assert.Equal(imported.KeyMaterialId, described.CurrentKeyMaterialId);
        var ciphertext = (await _kms.EncryptAsync(key.KeyId, "secret"u8.ToArray())).CiphertextBlob;

        var deleted = await _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });

        Assert.Equal(imported.KeyMaterialId, deleted.KeyMaterialId);
        Assert.Equal(KeyState.PendingImport, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        await FailsAsync<KMSInvalidStateException>(() => _kms.DecryptAsync(ciphertext), "KMSInvalidStateException", $"{key.Arn} is pending import.");

        var reimported = await _kms.ImportAsync(key.KeyId, material, algorithm);

        Assert.Equal(imported.KeyMaterialId, reimported.KeyMaterialId);
        var decrypted = await _kms.DecryptAsync(ciphertext);
        Assert.Equal("secret"u8.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal(imported.KeyMaterialId, decrypted.KeyMaterialId);
    }

    [Fact]
    public async Task Reimporting_different_material_fails_with_IncorrectKeyMaterial()
    {
        var key = await _kms.NewExternalKeyAsync();
        await _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
        await _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });

        var error = await FailsAsync<IncorrectKeyMaterialException>(
            () => _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32)),
            "IncorrectKeyMaterialException",
            null);

        Assert.Contains($"It is not key material that was imported into {key.Arn} before.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_token_of_another_key_fails_with_InvalidImportToken()
    {
        var key = await _kms.NewExternalKeyAsync();
        var other = await _kms.NewExternalKeyAsync();
        var parameters = await _kms.ParametersAsync(other.KeyId);

        await FailsAsync<InvalidImportTokenException>(
            () => _kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
            {
                KeyId = key.KeyId,
                ImportToken = parameters.ImportToken,
                EncryptedKeyMaterial = new MemoryStream(CustomerWrapping.Wrap("RSAES_OAEP_SHA_256", parameters.PublicKey.ToArray(), RandomNumberGenerator.GetBytes(32))),
                ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
            }),
            "InvalidImportTokenException",
            "The request was rejected because the provided import token is invalid or is associated with a different KMS key.");
    }

    [Fact]
    public async Task Material_wrapped_with_another_algorithm_fails_with_InvalidCiphertext()
    {
        var key = await _kms.NewExternalKeyAsync();
        var parameters = await _kms.ParametersAsync(key.KeyId, "RSAES_OAEP_SHA_256");

        await FailsAsync<InvalidCiphertextException>(
            () => _kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
            {
                KeyId = key.KeyId,
                ImportToken = parameters.ImportToken,
                EncryptedKeyMaterial = new MemoryStream(CustomerWrapping.Wrap("RSAES_OAEP_SHA_1", parameters.PublicKey.ToArray(), RandomNumberGenerator.GetBytes(32))),
                ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
            }),
            "InvalidCiphertextException",
            null);
    }

    [Fact]
    public async Task Symmetric_material_that_is_not_256_bits_fails_with_IncorrectKeyMaterial()
    {
        var key = await _kms.NewExternalKeyAsync();

        await FailsAsync<IncorrectKeyMaterialException>(() => _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(16)), "IncorrectKeyMaterialException", null);
    }

    [Fact]
    public async Task KEY_MATERIAL_EXPIRES_without_ValidTo_fails_with_AWS_message()
    {
        var key = await _kms.NewExternalKeyAsync();

        await FailsValidationAsync(
            () => _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), configure: r => r.ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES),
            "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
    }

    [Fact]
    public async Task GetParametersForImport_on_a_key_with_KMS_material_fails_with_UnsupportedOperation()
    {
        var key = await _kms.NewKeyAsync();

        await FailsAsync<UnsupportedOperationException>(
            () => _kms.ParametersAsync(key.KeyId),
            "UnsupportedOperationException",
            $"{key.Arn} origin is AWS_KMS which is not valid for this operation.");
    }

    [Fact]
    public async Task DeleteImportedKeyMaterial_on_a_key_with_KMS_material_fails_with_UnsupportedOperation()
    {
        var key = await _kms.NewKeyAsync();

        await FailsAsync<UnsupportedOperationException>(
            () => _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId }),
            "UnsupportedOperationException",
            $"{key.Arn} origin is AWS_KMS which is not valid for this operation.");
    }

    [Theory]
    [InlineData("SM2PKE", "RSA_2048")]
    [InlineData("RSAES_OAEP_SHA_256", "SM2")]
    public async Task SM2_wrapping_is_refused_with_UnsupportedOperation(string algorithm, string spec)
    {
        var key = await _kms.NewExternalKeyAsync();

        await FailsAsync<UnsupportedOperationException>(() => _kms.ParametersAsync(key.KeyId, algorithm, spec), "UnsupportedOperationException", null);
    }

    [Fact]
    public async Task GetParametersForImport_returns_a_public_key_of_the_spec_valid_for_24_hours()
    {
        var key = await _kms.NewExternalKeyAsync();

        var parameters = await _kms.ParametersAsync(key.KeyId, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072");

        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(parameters.PublicKey.ToArray(), out _);
        Assert.Equal(3072, rsa.KeySize);
        Assert.Equal(key.Arn, parameters.KeyId);
        Assert.InRange(parameters.ParametersValidTo!.Value - DateTime.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));
    }

    [Theory]
    [InlineData("HMAC_256", 32)]
    [InlineData("HMAC_512", 100)]
    public async Task Imported_HMAC_material_makes_the_same_MACs_as_an_independent_HMAC(string spec, int length)
    {
        var key = await _kms.NewExternalKeyAsync(spec, "GENERATE_VERIFY_MAC");
        var material = RandomNumberGenerator.GetBytes(length);
        await _kms.ImportAsync(key.KeyId, material);
        var algorithm = spec == "HMAC_256" ? MacAlgorithmSpec.HMAC_SHA_256 : MacAlgorithmSpec.HMAC_SHA_512;

        var mac = await _kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, MacAlgorithm = algorithm, Message = new MemoryStream("hello"u8.ToArray()) });

        var expected = spec == "HMAC_256" ? HMACSHA256.HashData(material, "hello"u8) : HMACSHA512.HashData(material, "hello"u8);
        Assert.Equal(expected, mac.Mac.ToArray());
    }

    [Fact]
    public async Task Asymmetric_material_cannot_use_ImportType()
    {
        var key = await _kms.NewExternalKeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await FailsValidationAsync(
            () => _kms.ImportAsync(key.KeyId, ec.ExportPkcs8PrivateKey(), configure: r => r.ImportType = ImportType.NEW_KEY_MATERIAL),
            "ImportType, KeyMaterialId and KeyMaterialDescription can be used only with symmetric encryption keys.");
    }

    [Fact]
    public async Task An_imported_ECC_private_key_signs_and_GetPublicKey_returns_its_public_key()
    {
        var key = await _kms.NewExternalKeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        await _kms.ImportAsync(key.KeyId, ec.ExportPkcs8PrivateKey(), "RSAES_OAEP_SHA_256");

        var publicKey = await _kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId });
        Assert.Equal(ec.ExportSubjectPublicKeyInfo(), publicKey.PublicKey.ToArray());
        var signature = await _kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream("m"u8.ToArray()), SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256 });
        Assert.True(ec.VerifyData("m"u8, signature.Signature.ToArray(), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task An_imported_RSA_private_key_needs_RSA_AES_wrapping_and_then_decrypts_what_its_public_key_encrypted()
    {
        var key = await _kms.NewExternalKeyAsync("RSA_2048", "ENCRYPT_DECRYPT");
        using var rsa = RSA.Create(2048);

        await _kms.ImportAsync(key.KeyId, rsa.ExportPkcs8PrivateKey(), "RSA_AES_KEY_WRAP_SHA_256");

        var ciphertext = rsa.Encrypt("hi"u8.ToArray(), RSAEncryptionPadding.OaepSHA256);
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(ciphertext), EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256 });
        Assert.Equal("hi"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task A_private_key_of_another_curve_fails_with_IncorrectKeyMaterial()
    {
        var key = await _kms.NewExternalKeyAsync("ECC_NIST_P256", "SIGN_VERIFY");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        await FailsAsync<IncorrectKeyMaterialException>(() => _kms.ImportAsync(key.KeyId, ec.ExportPkcs8PrivateKey(), "RSA_AES_KEY_WRAP_SHA_256"), "IncorrectKeyMaterialException", null);
    }

    [Fact]
    public async Task New_key_material_waits_in_PENDING_ROTATION_until_RotateKeyOnDemand_makes_it_current()
    {
        var key = await _kms.NewExternalKeyAsync();
        var first = await _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));
        var old = await _kms.EncryptAsync(key.KeyId, "old"u8.ToArray());

        var second = await _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), configure: r =>
        {
            r.ImportType = ImportType.NEW_KEY_MATERIAL;
            r.KeyMaterialDescription = "second material";
        });

        var pending = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL });
        Assert.Collection(
            pending.Rotations,
            m =>
            {
                Assert.Equal(first.KeyMaterialId, m.KeyMaterialId);
                Assert.Equal(KeyMaterialState.CURRENT, m.KeyMaterialState);
                Assert.Equal(ImportState.IMPORTED, m.ImportState);
                Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, m.ExpirationModel);
            },
            m =>
            {
                Assert.Equal(second.KeyMaterialId, m.KeyMaterialId);
                Assert.Equal(KeyMaterialState.PENDING_ROTATION, m.KeyMaterialState);
                Assert.Equal("second material", m.KeyMaterialDescription);
                Assert.Null(m.RotationType);
            });
        Assert.Equal(first.KeyMaterialId, (await _kms.DecryptAsync((await _kms.EncryptAsync(key.KeyId, [1])).CiphertextBlob)).KeyMaterialId);
        Assert.Empty((await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations);

        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });

        Assert.Equal(second.KeyMaterialId, (await _kms.DecryptAsync((await _kms.EncryptAsync(key.KeyId, [1])).CiphertextBlob)).KeyMaterialId);
        var rotations = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId });
        var rotation = Assert.Single(rotations.Rotations);
        Assert.Equal(second.KeyMaterialId, rotation.KeyMaterialId);
        Assert.Equal(KeyMaterialState.CURRENT, rotation.KeyMaterialState);
        Assert.Equal(RotationType.ON_DEMAND, rotation.RotationType);
        Assert.NotNull(rotation.RotationDate);
        Assert.Equal("old"u8.ToArray(), (await _kms.DecryptAsync(old.CiphertextBlob)).Plaintext.ToArray());
    }

    [Fact]
    public async Task Deleting_an_older_material_makes_the_key_PendingImport_until_it_is_reimported_with_its_id()
    {
        var key = await _kms.NewExternalKeyAsync();
        var firstMaterial = RandomNumberGenerator.GetBytes(32);
        var first = await _kms.ImportAsync(key.KeyId, firstMaterial);
        await _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), configure: r => r.ImportType = ImportType.NEW_KEY_MATERIAL);
        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });

        await _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = first.KeyMaterialId });

        Assert.Equal(KeyState.PendingImport, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
        var listed = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL });
        Assert.Equal(ImportState.PENDING_IMPORT, listed.Rotations[0].ImportState);
        Assert.Null(listed.Rotations[0].ExpirationModel);

        await _kms.ImportAsync(key.KeyId, firstMaterial, configure: r =>
        {
            r.ImportType = ImportType.EXISTING_KEY_MATERIAL;
            r.KeyMaterialId = first.KeyMaterialId;
        });

        Assert.Equal(KeyState.Enabled, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task RotateKeyOnDemand_without_material_pending_rotation_fails_with_UnsupportedOperation()
    {
        var key = await _kms.NewExternalKeyAsync();
        await _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32));

        await FailsAsync<UnsupportedOperationException>(
            () => _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }),
            "UnsupportedOperationException",
            $"{key.Arn} has no imported key material pending rotation. Import new key material with ImportType NEW_KEY_MATERIAL, then rotate.");
    }

    [Fact]
    public async Task Importing_material_already_associated_as_new_material_fails_with_IncorrectKeyMaterial()
    {
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        await _kms.ImportAsync(key.KeyId, material);

        await FailsAsync<IncorrectKeyMaterialException>(
            () => _kms.ImportAsync(key.KeyId, material, configure: r => r.ImportType = ImportType.NEW_KEY_MATERIAL),
            "IncorrectKeyMaterialException",
            null);
    }

    [Fact]
    public async Task Cancelling_the_deletion_of_a_key_without_material_leaves_it_PendingImport()
    {
        var key = await _kms.NewExternalKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });

        Assert.Equal(KeyState.PendingImport, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.KeyState);
    }

    [Fact]
    public async Task CreateKey_with_origin_EXTERNAL_refuses_key_specs_without_import()
    {
        await FailsAsync<UnsupportedOperationException>(
            () => _kms.NewExternalKeyAsync("ML_DSA_44", "SIGN_VERIFY"),
            "UnsupportedOperationException",
            "Importing key material for key spec ML_DSA_44 is not supported by this server.");
    }
}
