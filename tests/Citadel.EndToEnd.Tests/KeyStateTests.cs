using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>ScheduleKeyDeletion, CancelKeyDeletion, and what Disabled and PendingDeletion keys refuse.</summary>
[Collection("server")]
public sealed class KeyStateTests(ServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task ScheduleKeyDeletion_returns_the_key_ARN_state_window_and_deletion_date()
    {
        var key = await _kms.NewKeyAsync();
        var expected = DateTime.UtcNow.AddDays(7);

        var response = await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        Assert.Equal(key.Arn, response.KeyId);
        Assert.Equal("PendingDeletion", response.KeyState.Value);
        Assert.Equal(7, response.PendingWindowInDays);
        Assert.InRange(response.DeletionDate!.Value.ToUniversalTime(), expected.AddMinutes(-1), expected.AddMinutes(1));
    }

    [Fact]
    public async Task ScheduleKeyDeletion_without_a_window_waits_30_days()
    {
        var key = await _kms.NewKeyAsync();
        var expected = DateTime.UtcNow.AddDays(30);

        var response = await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.Arn });

        Assert.Equal(30, response.PendingWindowInDays);
        Assert.InRange(response.DeletionDate!.Value.ToUniversalTime(), expected.AddMinutes(-1), expected.AddMinutes(1));
    }

    [Fact]
    public async Task DescribeKey_of_a_key_pending_deletion_shows_the_deletion_date_and_window()
    {
        var key = await _kms.NewKeyAsync();
        var scheduled = await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 10 });

        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;

        Assert.False(metadata.Enabled);
        Assert.Equal("PendingDeletion", metadata.KeyState.Value);
        Assert.Equal(10, metadata.PendingDeletionWindowInDays);
        Assert.Equal(scheduled.DeletionDate, metadata.DeletionDate);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(31)]
    [InlineData(1)]
    [InlineData(365)]
    public async Task ScheduleKeyDeletion_with_a_window_outside_7_to_30_days_fails_with_Validation(int days)
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = days });

        await Kms.FailsValidationAsync(act, "PendingWindowInDays must be between 7 and 30");
    }

    [Theory]
    [InlineData(0, "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(366, "1 validation error detected: Value '366' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365")]
    public async Task ScheduleKeyDeletion_with_a_window_outside_the_model_range_fails_with_the_model_constraint(int days, string message)
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = days });

        await Kms.FailsValidationAsync(act, message);
    }

    [Fact]
    public async Task CancelKeyDeletion_returns_the_key_ARN_and_leaves_the_key_Disabled()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        var response = await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });

        Assert.Equal(key.Arn, response.KeyId);
        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.False(metadata.Enabled);
        Assert.Equal("Disabled", metadata.KeyState.Value);
        Assert.Null(metadata.DeletionDate);
        Assert.Null(metadata.PendingDeletionWindowInDays);
    }

    [Fact]
    public async Task A_key_whose_deletion_was_cancelled_decrypts_again_once_enabled()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "kept"u8.ToArray());
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
        await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.Arn });

        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });

        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob);
        Assert.Equal("kept"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task CancelKeyDeletion_of_a_key_not_pending_deletion_fails_with_KMSInvalidState()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });

        // AWS's message for this case is not captured (docs/aws-error-reference.md §9); the type is certain.
        await Kms.FailsAsync<KMSInvalidStateException>(act, "KMSInvalidStateException", $"{key.Arn} is not pending deletion.");
    }

    public static TheoryData<string> RefusedWhenPendingDeletion() =>
    [
        "Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "EnableKey", "DisableKey",
        "ScheduleKeyDeletion", "UpdateKeyDescription", "TagResource", "UntagResource", "CreateAlias",
    ];

    [Theory]
    [MemberData(nameof(RefusedWhenPendingDeletion))]
    public async Task A_key_pending_deletion_refuses_the_operation_with_KMSInvalidState(string operation)
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        var act = Operation(operation, key.KeyId, encrypted.CiphertextBlob);

        await Kms.FailsAsync<KMSInvalidStateException>(act, "KMSInvalidStateException", $"{key.Arn} is pending deletion.");
    }

    public static TheoryData<string> RefusedWhenDisabled() =>
        ["Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext"];

    [Theory]
    [MemberData(nameof(RefusedWhenDisabled))]
    public async Task A_disabled_key_refuses_cryptographic_use_with_Disabled(string operation)
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var act = Operation(operation, key.KeyId, encrypted.CiphertextBlob);

        await Kms.FailsAsync<DisabledException>(act, "DisabledException", $"{key.Arn} is disabled.");
    }

    [Fact]
    public async Task ReEncrypt_to_a_disabled_destination_key_fails_with_Disabled()
    {
        var source = await _kms.NewKeyAsync();
        var destination = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(source.KeyId, "x"u8.ToArray());
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = destination.KeyId });

        var act = () => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            DestinationKeyId = destination.KeyId,
        });

        await Kms.FailsAsync<DisabledException>(act, "DisabledException", $"{destination.Arn} is disabled.");
    }

    [Fact]
    public async Task A_key_pending_deletion_can_still_be_described_and_have_its_tags_listed()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("team", "red") })).KeyMetadata;
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        var tags = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });

        Assert.Equal("PendingDeletion", described.KeyMetadata.KeyState.Value);
        Assert.Equal("team", Assert.Single(tags.Tags).TagKey);
    }

    private Func<Task> Operation(string operation, string keyId, MemoryStream ciphertext) => operation switch
    {
        "Encrypt" => () => _kms.EncryptAsync(keyId, "x"u8.ToArray()),
        "Decrypt" => () => _kms.DecryptAsync(ciphertext),
        "ReEncrypt" => () => ReEncryptToNewKeyAsync(ciphertext),
        "GenerateDataKey" => () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 }),
        "GenerateDataKeyWithoutPlaintext" => () => _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = keyId, NumberOfBytes = 16 }),
        "EnableKey" => () => _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId }),
        "DisableKey" => () => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId }),
        "ScheduleKeyDeletion" => () => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 }),
        "UpdateKeyDescription" => () => _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "d" }),
        "TagResource" => () => _kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = Kms.Tags("k", "v") }),
        "UntagResource" => () => _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = keyId, TagKeys = ["k"] }),
        "CreateAlias" => () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName(), TargetKeyId = keyId }),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    private async Task ReEncryptToNewKeyAsync(MemoryStream ciphertext)
    {
        var other = await _kms.NewKeyAsync();
        await _kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(ciphertext.ToArray()), DestinationKeyId = other.KeyId });
    }
}
