using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// How the KeyId member names a key (key id, key ARN, alias name, alias ARN), which operations accept which form,
/// and what happens for keys that do not exist, are in another region, or belong to another account.
/// </summary>
[Collection("server")]
public sealed class KeyAddressingTests(ServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    public static TheoryData<string> Forms() => ["key id", "key ARN", "alias name", "alias ARN"];

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task DescribeKey_finds_the_key_by_every_form_of_KeyId(string form)
    {
        var (key, reference) = await KeyWithReferenceAsync(form);

        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = reference });

        Assert.Equal(key.KeyId, described.KeyMetadata.KeyId);
        Assert.Equal(key.Arn, described.KeyMetadata.Arn);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task Encrypt_finds_the_key_by_every_form_of_KeyId_and_answers_with_the_key_ARN(string form)
    {
        var (key, reference) = await KeyWithReferenceAsync(form);

        var encrypted = await _kms.EncryptAsync(reference, "x"u8.ToArray());

        Assert.Equal(key.Arn, encrypted.KeyId);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task GenerateDataKey_finds_the_key_by_every_form_of_KeyId(string form)
    {
        var (key, reference) = await KeyWithReferenceAsync(form);

        var response = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = reference, KeySpec = DataKeySpec.AES_256 });

        Assert.Equal(key.Arn, response.KeyId);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task Decrypt_accepts_every_form_of_KeyId_for_the_right_key(string form)
    {
        var (key, reference) = await KeyWithReferenceAsync(form);
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());

        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob, keyId: reference);

        Assert.Equal(key.Arn, decrypted.KeyId);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task ReEncrypt_accepts_every_form_of_DestinationKeyId(string form)
    {
        var source = await _kms.NewKeyAsync();
        var (destination, reference) = await KeyWithReferenceAsync(form);
        var encrypted = await _kms.EncryptAsync(source.KeyId, "x"u8.ToArray());

        var response = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            DestinationKeyId = reference,
        });

        Assert.Equal(destination.Arn, response.KeyId);
    }

    public static TheoryData<string, string> KeyIdOrArnOnly()
    {
        var data = new TheoryData<string, string>();
        foreach (var operation in new[] { "DisableKey", "EnableKey", "UpdateKeyDescription", "TagResource", "UntagResource", "ListResourceTags", "ScheduleKeyDeletion", "ListAliases" })
        {
            foreach (var form in new[] { "key id", "key ARN" })
            {
                data.Add(operation, form);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KeyIdOrArnOnly))]
    public async Task Management_operations_accept_a_key_id_or_key_ARN(string operation, string form)
    {
        var (_, reference) = await KeyWithReferenceAsync(form);

        await Operation(operation, reference)();
    }

    public static TheoryData<string, string> AliasRefused()
    {
        var data = new TheoryData<string, string>();
        foreach (var operation in new[] { "DisableKey", "EnableKey", "UpdateKeyDescription", "TagResource", "UntagResource", "ListResourceTags", "ScheduleKeyDeletion", "CancelKeyDeletion", "ListAliases" })
        {
            foreach (var form in new[] { "alias name", "alias ARN" })
            {
                data.Add(operation, form);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AliasRefused))]
    public async Task Management_operations_refuse_an_alias_with_NotFound(string operation, string form)
    {
        var (_, reference) = await KeyWithReferenceAsync(form);

        var act = Operation(operation, reference);

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Invalid keyId '{reference}'");
    }

    public static TheoryData<string> KeyOperations() =>
    [
        "DescribeKey", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt", "DisableKey", "EnableKey",
        "UpdateKeyDescription", "TagResource", "UntagResource", "ListResourceTags", "ScheduleKeyDeletion", "CancelKeyDeletion",
        "ListAliases", "CreateAlias", "Decrypt",
    ];

    [Theory]
    [MemberData(nameof(KeyOperations))]
    public async Task An_unknown_key_id_fails_with_NotFound_naming_the_key_ARN(string operation)
    {
        var missing = Guid.NewGuid().ToString();

        var act = Operation(operation, missing);

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Key '{Kms.KeyArn(missing)}' does not exist");
    }

    [Theory]
    [MemberData(nameof(KeyOperations))]
    public async Task An_unknown_key_ARN_fails_with_NotFound(string operation)
    {
        var missing = Kms.KeyArn(Guid.NewGuid().ToString());

        var act = Operation(operation, missing);

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Key '{missing}' does not exist");
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("1234abcd12ab34cd56ef1234567890ab")]
    [InlineData("{1234abcd-12ab-34cd-56ef-1234567890ab}")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/foo")]
    [InlineData("arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("alias/has space")]
    public async Task A_KeyId_that_is_no_key_id_ARN_or_alias_fails_with_NotFound_Invalid_keyId(string keyId)
    {
        var act = () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Invalid keyId '{keyId}'");
    }

    [Theory]
    [InlineData("DescribeKey")]
    [InlineData("Encrypt")]
    [InlineData("GenerateDataKey")]
    public async Task An_unknown_alias_fails_with_NotFound_naming_the_alias_ARN(string operation)
    {
        var alias = Kms.NewAliasName();

        var act = Operation(operation, alias);

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Alias {Kms.AliasArn(alias)} is not found.");
    }

    [Theory]
    [InlineData("key ARN")]
    [InlineData("alias ARN")]
    public async Task An_ARN_of_another_region_fails_with_NotFound_Invalid_arn(string form)
    {
        var (_, reference) = await KeyWithReferenceAsync(form);
        using var europe = fixture.Server.Client(region: "eu-west-1");

        var act = () => europe.DescribeKeyAsync(new DescribeKeyRequest { KeyId = reference });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", "Invalid arn us-east-1");
    }

    [Fact]
    public async Task A_key_is_not_found_by_its_id_through_a_client_of_another_region()
    {
        var key = await _kms.NewKeyAsync();
        using var europe = fixture.Server.Client(region: "eu-west-1");

        var act = () => europe.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Key '{Kms.KeyArn(key.KeyId, "eu-west-1")}' does not exist");
    }

    [Fact]
    public async Task A_key_created_in_another_region_has_that_region_in_its_ARN_and_is_not_listed_here()
    {
        using var europe = fixture.Server.Client(region: "eu-central-2");

        var key = await europe.NewKeyAsync();

        Assert.Equal(Kms.KeyArn(key.KeyId, "eu-central-2"), key.Arn);
        var listed = await _kms.ListKeysAsync(new ListKeysRequest { Limit = 1000 });
        Assert.DoesNotContain(listed.Keys, k => k.KeyId == key.KeyId);
    }

    [Fact]
    public async Task A_ciphertext_cannot_be_decrypted_through_a_client_of_another_region()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());
        using var europe = fixture.Server.Client(region: "eu-west-1");

        var act = () => europe.DecryptAsync(encrypted.CiphertextBlob);

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            act,
            "AccessDeniedException",
            "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.");
    }

    [Theory]
    [InlineData("DescribeKey")]
    [InlineData("Encrypt")]
    [InlineData("GenerateDataKey")]
    [InlineData("DisableKey")]
    [InlineData("TagResource")]
    [InlineData("ListResourceTags")]
    [InlineData("ScheduleKeyDeletion")]
    public async Task Another_account_naming_the_key_by_ARN_is_denied_with_AccessDenied(string operation)
    {
        var key = await _kms.NewKeyAsync();
        using var other = await fixture.Server.OtherAccountClientAsync();

        var act = Operation(operation, key.Arn, other);

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            act,
            "AccessDeniedException",
            $"User: arn:aws:iam::{Kms.OtherAccount}:root is not authorized to perform: kms:{operation} on resource: {key.Arn} because no resource-based policy allows the kms:{operation} action");
        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal("Enabled", described.KeyMetadata.KeyState.Value);
    }

    [Fact]
    public async Task Another_account_cannot_decrypt_a_ciphertext_of_this_account()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "x"u8.ToArray());
        using var other = await fixture.Server.OtherAccountClientAsync();

        var act = () => other.DecryptAsync(encrypted.CiphertextBlob);

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            act,
            "AccessDeniedException",
            $"User: arn:aws:iam::{Kms.OtherAccount}:root is not authorized to perform: kms:Decrypt on resource: {key.Arn} because no resource-based policy allows the kms:Decrypt action");
    }

    [Fact]
    public async Task Another_account_naming_the_key_by_bare_id_looks_in_its_own_account_and_finds_nothing()
    {
        var key = await _kms.NewKeyAsync();
        using var other = await fixture.Server.OtherAccountClientAsync();

        var act = () => other.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Key '{Kms.KeyArn(key.KeyId, account: Kms.OtherAccount)}' does not exist");
    }

    [Fact]
    public async Task Another_account_cannot_point_its_alias_at_this_account_key()
    {
        var key = await _kms.NewKeyAsync();
        using var other = await fixture.Server.OtherAccountClientAsync();

        var act = () => other.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName(), TargetKeyId = key.Arn });

        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            act,
            "AccessDeniedException",
            $"User: arn:aws:iam::{Kms.OtherAccount}:root is not authorized to perform: kms:CreateAlias on resource: {key.Arn} because no resource-based policy allows the kms:CreateAlias action");
    }

    [Fact]
    public async Task Another_account_sees_neither_the_keys_nor_the_aliases_of_this_account()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        using var other = await fixture.Server.OtherAccountClientAsync();

        var keys = await other.ListKeysAsync(new ListKeysRequest { Limit = 1000 });
        var aliases = await other.ListAliasesAsync(new ListAliasesRequest { Limit = 1000 });

        Assert.DoesNotContain(keys.Keys ?? [], k => k.KeyId == key.KeyId);
        Assert.DoesNotContain(aliases.Aliases ?? [], a => a.AliasName == alias);
    }

    /// <summary>A new key, with an alias when the form needs one, and the string that names it in that form.</summary>
    private async Task<(KeyMetadata Key, string Reference)> KeyWithReferenceAsync(string form)
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        if (form.StartsWith("alias", StringComparison.Ordinal))
        {
            await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        }

        return (key, form switch
        {
            "key id" => key.KeyId,
            "key ARN" => key.Arn,
            "alias name" => alias,
            "alias ARN" => Kms.AliasArn(alias),
            _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
        });
    }

    private Func<Task> Operation(string operation, string keyId, IAmazonKeyManagementService? client = null)
    {
        var kms = client ?? _kms;
        return operation switch
        {
            "DescribeKey" => () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }),
            "Encrypt" => () => kms.EncryptAsync(keyId, "x"u8.ToArray()),
            "Decrypt" => () => DecryptOwnCiphertextAsync(kms, keyId),
            "GenerateDataKey" => () => kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, NumberOfBytes = 32 }),
            "GenerateDataKeyWithoutPlaintext" => () => kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = keyId, NumberOfBytes = 32 }),
            "ReEncrypt" => () => ReEncryptOwnCiphertextAsync(kms, keyId),
            "DisableKey" => () => kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId }),
            "EnableKey" => () => kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId }),
            "UpdateKeyDescription" => () => kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "d" }),
            "TagResource" => () => kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = Kms.Tags("k", "v") }),
            "UntagResource" => () => kms.UntagResourceAsync(new UntagResourceRequest { KeyId = keyId, TagKeys = ["k"] }),
            "ListResourceTags" => () => kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId }),
            "ScheduleKeyDeletion" => () => kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 }),
            "CancelKeyDeletion" => () => kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId }),
            "ListAliases" => () => kms.ListAliasesAsync(new ListAliasesRequest { KeyId = keyId }),
            "CreateAlias" => () => kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName(), TargetKeyId = keyId }),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }

    /// <summary>Decrypts a ciphertext of this account's own new key, naming <paramref name="keyId"/> as the key.</summary>
    private async Task DecryptOwnCiphertextAsync(IAmazonKeyManagementService kms, string keyId)
    {
        var own = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(own.KeyId, "x"u8.ToArray());
        await kms.DecryptAsync(encrypted.CiphertextBlob, keyId: keyId);
    }

    /// <summary>Re-encrypts a ciphertext of this account's own new key under <paramref name="keyId"/>.</summary>
    private async Task ReEncryptOwnCiphertextAsync(IAmazonKeyManagementService kms, string keyId)
    {
        var own = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(own.KeyId, "x"u8.ToArray());
        await kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()), DestinationKeyId = keyId });
    }
}
