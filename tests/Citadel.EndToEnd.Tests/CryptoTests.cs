using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom.</summary>
[Collection("server")]
public sealed class CryptoTests(ServerFixture fixture)
{
    private const string DryRunMessage = "The request would have succeeded, but the DryRun option is set.";

    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task Encrypt_returns_the_key_ARN_the_algorithm_and_a_ciphertext_that_is_not_the_plaintext()
    {
        var key = await _kms.NewKeyAsync();

        var response = await _kms.EncryptAsync(key.KeyId, "attack at dawn"u8.ToArray());

        Assert.Equal(key.Arn, response.KeyId);
        Assert.Equal("SYMMETRIC_DEFAULT", response.EncryptionAlgorithm.Value);
        var blob = response.CiphertextBlob.ToArray();
        Assert.True(blob.Length > "attack at dawn".Length);
        Assert.DoesNotContain("attack at dawn", System.Text.Encoding.UTF8.GetString(blob), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decrypt_without_a_KeyId_returns_the_plaintext_the_key_ARN_and_the_algorithm()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "attack at dawn"u8.ToArray());

        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob);

        Assert.Equal("attack at dawn"u8.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal(key.Arn, decrypted.KeyId);
        Assert.Equal("SYMMETRIC_DEFAULT", decrypted.EncryptionAlgorithm.Value);
        Assert.False(string.IsNullOrEmpty(decrypted.KeyMaterialId));
    }

    [Fact]
    public async Task Encrypting_the_same_plaintext_twice_gives_different_ciphertexts()
    {
        var key = await _kms.NewKeyAsync();

        var first = await _kms.EncryptAsync(key.KeyId, "same"u8.ToArray());
        var second = await _kms.EncryptAsync(key.KeyId, "same"u8.ToArray());

        Assert.NotEqual(first.CiphertextBlob.ToArray(), second.CiphertextBlob.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task Encrypt_accepts_plaintext_of_1_to_4096_bytes(int length)
    {
        var key = await _kms.NewKeyAsync();
        var plaintext = new byte[length];
        Random.Shared.NextBytes(plaintext);

        var encrypted = await _kms.EncryptAsync(key.KeyId, plaintext);
        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob);

        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task Encrypt_of_more_than_4096_bytes_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.EncryptAsync(key.KeyId, new byte[4097]);

        await Kms.FailsValidationAsync(
            act,
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    }

    [Fact]
    public async Task Encrypt_of_empty_plaintext_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.EncryptAsync(key.KeyId, []);

        await Kms.FailsValidationAsync(
            act,
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }

    [Fact]
    public async Task Encrypt_with_an_asymmetric_algorithm_fails_with_InvalidKeyUsage()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId,
            Plaintext = new MemoryStream("x"u8.ToArray()),
            EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256,
        });

        await Kms.FailsAsync<InvalidKeyUsageException>(act, "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.");
    }

    [Fact]
    public async Task Decrypt_with_the_same_encryption_context_in_another_order_succeeds()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "ctx"u8.ToArray(), Kms.Context("b", "2", "a", "1"));

        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob, Kms.Context("a", "1", "b", "2"));

        Assert.Equal("ctx"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task A_large_non_ASCII_encryption_context_round_trips_and_still_binds_the_ciphertext()
    {
        var key = await _kms.NewKeyAsync();
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            context[$"schlüssel-{i:D2}-ключ"] = new string('値', 100);
        }

        var encrypted = await _kms.EncryptAsync(key.KeyId, "big context"u8.ToArray(), context);
        var reordered = new Dictionary<string, string>(context.Reverse(), StringComparer.Ordinal);
        var changed = new Dictionary<string, string>(context, StringComparer.Ordinal) { ["schlüssel-00-ключ"] = new string('値', 99) };

        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob, reordered);
        var act = () => _kms.DecryptAsync(encrypted.CiphertextBlob, changed);

        Assert.Equal("big context"u8.ToArray(), decrypted.Plaintext.ToArray());
        await Kms.FailsAsync<InvalidCiphertextException>(act, "InvalidCiphertextException", null);
    }

    public static TheoryData<string, string[]?> WrongContexts() => new()
    {
        { "a different value", ["app", "b"] },
        { "a different key", ["service", "a"] },
        { "an extra pair", ["app", "a", "extra", "x"] },
        { "no context", null },
    };

    [Theory]
    [MemberData(nameof(WrongContexts))]
    public async Task Decrypt_with_a_different_encryption_context_fails_with_InvalidCiphertext(string why, string[]? context)
    {
        _ = why;
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "secret"u8.ToArray(), Kms.Context("app", "a"));

        var act = () => _kms.DecryptAsync(encrypted.CiphertextBlob, context is null ? null : Kms.Context(context));

        await Kms.FailsAsync<InvalidCiphertextException>(act, "InvalidCiphertextException", null);
    }

    [Fact]
    public async Task Decrypt_with_a_context_of_a_ciphertext_encrypted_without_one_fails_with_InvalidCiphertext()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "secret"u8.ToArray());

        var act = () => _kms.DecryptAsync(encrypted.CiphertextBlob, Kms.Context("app", "a"));

        await Kms.FailsAsync<InvalidCiphertextException>(act, "InvalidCiphertextException", null);
    }

    public static TheoryData<string> Tamperings() => ["last byte", "middle byte", "material version", "truncated by one", "truncated to 20 bytes", "format version"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Decrypt_of_a_tampered_or_truncated_ciphertext_fails_with_InvalidCiphertext(string tampering)
    {
        var key = await _kms.NewKeyAsync();
        var blob = (await _kms.EncryptAsync(key.KeyId, "secret data"u8.ToArray())).CiphertextBlob.ToArray();
        switch (tampering)
        {
            case "last byte":
                blob[^1] ^= 0x01;
                break;
            case "middle byte":
                blob[blob.Length / 2] ^= 0x80;
                break;
            case "material version":
                blob[20] ^= 0x02;
                break;
            case "truncated by one":
                blob = blob[..^1];
                break;
            case "truncated to 20 bytes":
                blob = blob[..20];
                break;
            case "format version":
                blob[0] = 0x7f;
                break;
        }

        var act = () => _kms.DecryptAsync(blob);

        await Kms.FailsAsync<InvalidCiphertextException>(act, "InvalidCiphertextException", null);
    }

    [Fact]
    public async Task Decrypt_of_random_bytes_fails_with_InvalidCiphertext()
    {
        var act = () => _kms.DecryptAsync("this is not a ciphertext at all, just text"u8.ToArray());

        await Kms.FailsAsync<InvalidCiphertextException>(act, "InvalidCiphertextException", null);
    }

    [Fact]
    public async Task Decrypt_with_the_KeyId_of_another_key_fails_with_IncorrectKey()
    {
        var key = await _kms.NewKeyAsync();
        var other = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());

        var act = () => _kms.DecryptAsync(encrypted.CiphertextBlob, keyId: other.KeyId);

        await Kms.FailsAsync<IncorrectKeyException>(
            act,
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.");
    }

    [Fact]
    public async Task Decrypt_with_the_right_KeyId_as_key_ARN_succeeds()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());

        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob, keyId: key.Arn);

        Assert.Equal(key.Arn, decrypted.KeyId);
    }

    [Fact]
    public async Task Decrypt_without_a_ciphertext_fails_with_Validation()
    {
        var act = () => _kms.DecryptAsync(new DecryptRequest());

        await Kms.FailsValidationAsync(act, "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
    }

    [Fact]
    public async Task ReEncrypt_moves_a_ciphertext_to_another_key_and_context()
    {
        var source = await _kms.NewKeyAsync();
        var destination = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(source.KeyId, "moving"u8.ToArray(), Kms.Context("from", "a"));

        var response = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            SourceEncryptionContext = Kms.Context("from", "a"),
            DestinationKeyId = destination.KeyId,
            DestinationEncryptionContext = Kms.Context("to", "b"),
        });

        Assert.Equal(source.Arn, response.SourceKeyId);
        Assert.Equal(destination.Arn, response.KeyId);
        Assert.Equal("SYMMETRIC_DEFAULT", response.SourceEncryptionAlgorithm.Value);
        Assert.Equal("SYMMETRIC_DEFAULT", response.DestinationEncryptionAlgorithm.Value);
        var decrypted = await _kms.DecryptAsync(response.CiphertextBlob, Kms.Context("to", "b"));
        Assert.Equal("moving"u8.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal(destination.Arn, decrypted.KeyId);
    }

    [Fact]
    public async Task ReEncrypt_with_the_wrong_source_context_fails_with_InvalidCiphertext()
    {
        var source = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(source.KeyId, "x"u8.ToArray(), Kms.Context("from", "a"));

        var act = () => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            SourceEncryptionContext = Kms.Context("from", "z"),
            DestinationKeyId = source.KeyId,
        });

        await Kms.FailsAsync<InvalidCiphertextException>(act, "InvalidCiphertextException", null);
    }

    [Fact]
    public async Task ReEncrypt_with_a_SourceKeyId_that_is_not_the_ciphertext_key_fails_with_IncorrectKey()
    {
        var source = await _kms.NewKeyAsync();
        var other = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(source.KeyId, "x"u8.ToArray());

        var act = () => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            SourceKeyId = other.KeyId,
            DestinationKeyId = other.KeyId,
        });

        await Kms.FailsAsync<IncorrectKeyException>(
            act,
            "IncorrectKeyException",
            "The key ID in the request does not identify a CMK that can perform this operation.");
    }

    [Theory]
    [InlineData("AES_256", 32)]
    [InlineData("AES_128", 16)]
    public async Task GenerateDataKey_with_a_KeySpec_returns_a_data_key_of_that_size_and_its_ciphertext(string keySpec, int length)
    {
        var key = await _kms.NewKeyAsync();

        var response = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = key.KeyId,
            KeySpec = keySpec,
            EncryptionContext = Kms.Context("purpose", "dek"),
        });

        Assert.Equal(key.Arn, response.KeyId);
        Assert.Equal(length, response.Plaintext.Length);
        var decrypted = await _kms.DecryptAsync(response.CiphertextBlob, Kms.Context("purpose", "dek"));
        Assert.Equal(response.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(1024)]
    public async Task GenerateDataKey_with_NumberOfBytes_returns_that_many_bytes(int numberOfBytes)
    {
        var key = await _kms.NewKeyAsync();

        var response = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = numberOfBytes });

        Assert.Equal(numberOfBytes, response.Plaintext.Length);
        var decrypted = await _kms.DecryptAsync(response.CiphertextBlob);
        Assert.Equal(response.Plaintext.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GenerateDataKey_with_both_or_neither_of_KeySpec_and_NumberOfBytes_fails_with_Validation(bool both)
    {
        var key = await _kms.NewKeyAsync();
        var request = new GenerateDataKeyRequest { KeyId = key.KeyId };
        if (both)
        {
            request.KeySpec = DataKeySpec.AES_256;
            request.NumberOfBytes = 32;
        }

        var act = () => _kms.GenerateDataKeyAsync(request);

        await Kms.FailsValidationAsync(act, "Please specify either number of bytes or key spec.");
    }

    [Theory]
    [InlineData(0, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(1025, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")]
    public async Task GenerateDataKey_with_NumberOfBytes_outside_1_to_1024_fails_with_Validation(int numberOfBytes, string message)
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = numberOfBytes });

        await Kms.FailsValidationAsync(act, message);
    }

    [Fact]
    public async Task GenerateDataKey_with_an_unknown_KeySpec_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = "AES_512" });

        await Kms.FailsValidationAsync(
            act,
            "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
    }

    [Fact]
    public async Task GenerateDataKeyWithoutPlaintext_returns_only_the_encrypted_data_key()
    {
        var key = await _kms.NewKeyAsync();

        var response = await _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest
        {
            KeyId = key.KeyId,
            KeySpec = DataKeySpec.AES_256,
        });

        Assert.Equal(key.Arn, response.KeyId);
        var decrypted = await _kms.DecryptAsync(response.CiphertextBlob);
        Assert.Equal(32, decrypted.Plaintext.Length);
        Assert.Equal(key.Arn, decrypted.KeyId);
    }

    [Fact]
    public async Task GenerateDataKeyWithoutPlaintext_with_neither_KeySpec_nor_NumberOfBytes_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId });

        await Kms.FailsValidationAsync(act, "Please specify either number of bytes or key spec.");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1024)]
    public async Task GenerateRandom_returns_the_requested_number_of_bytes(int numberOfBytes)
    {
        var response = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = numberOfBytes });

        Assert.Equal(numberOfBytes, response.Plaintext.Length);
    }

    [Fact]
    public async Task GenerateRandom_returns_different_bytes_each_time()
    {
        var first = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32 });
        var second = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32 });

        Assert.NotEqual(first.Plaintext.ToArray(), second.Plaintext.ToArray());
    }

    [Theory]
    [InlineData(0, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(1025, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")]
    public async Task GenerateRandom_outside_1_to_1024_bytes_fails_with_Validation(int numberOfBytes, string message)
    {
        var act = () => _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = numberOfBytes });

        await Kms.FailsValidationAsync(act, message);
    }

    [Fact]
    public async Task GenerateRandom_without_NumberOfBytes_fails_with_Validation()
    {
        var act = () => _kms.GenerateRandomAsync(new GenerateRandomRequest());

        // AWS's wording here is uncertain (docs/aws-error-reference.md §12); only the type is asserted exactly.
        await Kms.FailsValidationAsync(act, "NumberOfBytes is required.");
    }

    [Fact]
    public async Task Encrypt_with_DryRun_fails_with_DryRunOperation_and_returns_no_ciphertext()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.EncryptAsync(key.KeyId, "x"u8.ToArray(), dryRun: true);

        await Kms.FailsAsync<DryRunOperationException>(act, "DryRunOperationException", DryRunMessage, 412);
    }

    [Fact]
    public async Task Decrypt_with_DryRun_fails_with_DryRunOperation()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());

        var act = () => _kms.DecryptAsync(encrypted.CiphertextBlob, dryRun: true);

        await Kms.FailsAsync<DryRunOperationException>(act, "DryRunOperationException", DryRunMessage, 412);
    }

    [Fact]
    public async Task ReEncrypt_with_DryRun_fails_with_DryRunOperation()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());

        var act = () => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            DestinationKeyId = key.KeyId,
            DryRun = true,
        });

        await Kms.FailsAsync<DryRunOperationException>(act, "DryRunOperationException", DryRunMessage, 412);
    }

    [Fact]
    public async Task GenerateDataKey_with_DryRun_fails_with_DryRunOperation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256, DryRun = true });

        await Kms.FailsAsync<DryRunOperationException>(act, "DryRunOperationException", DryRunMessage, 412);
    }

    [Fact]
    public async Task DryRun_on_a_disabled_key_reports_Disabled_rather_than_success()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var act = () => _kms.EncryptAsync(key.KeyId, "x"u8.ToArray(), dryRun: true);

        await Kms.FailsAsync<DisabledException>(act, "DisabledException", $"{key.Arn} is disabled.");
    }
}
