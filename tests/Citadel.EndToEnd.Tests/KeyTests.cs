using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription.</summary>
[Collection("server")]
public sealed class KeyTests(ServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task CreateKey_returns_the_metadata_of_an_enabled_symmetric_customer_managed_key()
    {
        var before = DateTime.UtcNow.AddSeconds(-2);

        var metadata = (await _kms.CreateKeyAsync(new CreateKeyRequest { Description = "payroll" })).KeyMetadata;

        Assert.Equal(Kms.Account, metadata.AWSAccountId);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", metadata.KeyId);
        Assert.Equal(Kms.KeyArn(metadata.KeyId), metadata.Arn);
        Assert.Equal("payroll", metadata.Description);
        Assert.True(metadata.Enabled);
        Assert.Equal("Enabled", metadata.KeyState.Value);
        Assert.Equal("ENCRYPT_DECRYPT", metadata.KeyUsage.Value);
        Assert.Equal("SYMMETRIC_DEFAULT", metadata.KeySpec.Value);
#pragma warning disable CS0618 // CustomerMasterKeySpec is deprecated, but AWS still sends it and SDKs still read it.
        Assert.Equal("SYMMETRIC_DEFAULT", metadata.CustomerMasterKeySpec.Value);
#pragma warning restore CS0618
        Assert.Equal("AWS_KMS", metadata.Origin.Value);
        Assert.Equal("CUSTOMER", metadata.KeyManager.Value);
        Assert.Equal(["SYMMETRIC_DEFAULT"], metadata.EncryptionAlgorithms);
        Assert.False(metadata.MultiRegion);
        Assert.Null(metadata.DeletionDate);
        Assert.Null(metadata.PendingDeletionWindowInDays);
        Assert.InRange(metadata.CreationDate!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(2));
    }

    [Fact]
    public async Task CreateKey_without_a_description_has_an_empty_description()
    {
        var metadata = (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;

        Assert.Equal("", metadata.Description);
    }

    [Fact]
    public async Task A_non_ASCII_description_round_trips_unchanged()
    {
        const string description = "Schlüssel für Gehälter — 給与の鍵 🔑";

        var created = await _kms.NewKeyAsync(description);

        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyId });

        Assert.Equal(description, described.KeyMetadata.Description);
    }

    [Fact]
    public async Task DescribeKey_returns_the_same_metadata_as_CreateKey()
    {
        var created = await _kms.NewKeyAsync("describe me");

        var described = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyId })).KeyMetadata;

        Assert.Equal(created.KeyId, described.KeyId);
        Assert.Equal(created.Arn, described.Arn);
        Assert.Equal(created.AWSAccountId, described.AWSAccountId);
        Assert.Equal(created.CreationDate, described.CreationDate);
        Assert.Equal("describe me", described.Description);
        Assert.True(described.Enabled);
        Assert.Equal("Enabled", described.KeyState.Value);
        Assert.Equal("ENCRYPT_DECRYPT", described.KeyUsage.Value);
        Assert.Equal("SYMMETRIC_DEFAULT", described.KeySpec.Value);
#pragma warning disable CS0618 // CustomerMasterKeySpec is deprecated, but AWS still sends it and SDKs still read it.
        Assert.Equal("SYMMETRIC_DEFAULT", described.CustomerMasterKeySpec.Value);
#pragma warning restore CS0618
        Assert.Equal("AWS_KMS", described.Origin.Value);
        Assert.Equal("CUSTOMER", described.KeyManager.Value);
        Assert.Equal(["SYMMETRIC_DEFAULT"], described.EncryptionAlgorithms);
        Assert.False(described.MultiRegion);
    }

    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", null)]
    [InlineData(null, "SYMMETRIC_DEFAULT")]
    public async Task CreateKey_accepts_SYMMETRIC_DEFAULT_as_KeySpec_or_as_the_deprecated_CustomerMasterKeySpec(string? keySpec, string? customerMasterKeySpec)
    {
        var request = new CreateKeyRequest { KeyUsage = "ENCRYPT_DECRYPT", Origin = "AWS_KMS" };
        if (keySpec is not null)
        {
            request.KeySpec = keySpec;
        }

        if (customerMasterKeySpec is not null)
        {
#pragma warning disable CS0618 // the deprecated member is what this test sends.
            request.CustomerMasterKeySpec = customerMasterKeySpec;
#pragma warning restore CS0618
        }

        var metadata = (await _kms.CreateKeyAsync(request)).KeyMetadata;

        Assert.Equal("SYMMETRIC_DEFAULT", metadata.KeySpec.Value);
        Assert.Equal("ENCRYPT_DECRYPT", metadata.KeyUsage.Value);
    }

    [Fact]
    public async Task CreateKey_with_an_unknown_KeySpec_fails_with_the_model_enum_in_the_message()
    {
        var act = () => _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "AES_999" });

        await Kms.FailsValidationAsync(
            act,
            "1 validation error detected: Value 'AES_999' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: "
            + "[RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, "
            + "HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519]");
    }

    [Fact]
    public async Task CreateKey_with_a_symmetric_spec_and_SIGN_VERIFY_usage_fails_with_Validation()
    {
        var act = () => _kms.CreateKeyAsync(new CreateKeyRequest { KeyUsage = "SIGN_VERIFY" });

        // AWS's wording for this case is not captured (docs/aws-error-reference.md §16); this is the server's.
        await Kms.FailsValidationAsync(act, "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT.");
    }

    [Fact]
    public async Task CreateKey_with_a_description_longer_than_8192_characters_fails_with_Validation()
    {
        var description = new string('d', 8193);

        var act = () => _kms.CreateKeyAsync(new CreateKeyRequest { Description = description });

        await Kms.FailsValidationAsync(
            act,
            $"1 validation error detected: Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192");
    }

    [Fact]
    public async Task CreateKey_with_a_policy_that_is_not_JSON_fails_with_MalformedPolicyDocument()
    {
        var act = () => _kms.CreateKeyAsync(new CreateKeyRequest { Policy = "not json" });

        await Kms.FailsAsync<MalformedPolicyDocumentException>(act, "MalformedPolicyDocumentException", "The policy is not valid JSON.");
    }

    [Fact]
    public async Task ListKeys_includes_a_new_key_with_its_id_and_ARN()
    {
        var key = await _kms.NewKeyAsync();
        var found = new List<KeyListEntry>();

        string? marker = null;
        do
        {
            var page = await _kms.ListKeysAsync(new ListKeysRequest { Limit = 1000, Marker = marker });
            found.AddRange(page.Keys);
            marker = page.NextMarker;
        }
        while (marker is not null);

        var entry = Assert.Single(found, k => k.KeyId == key.KeyId);
        Assert.Equal(key.Arn, entry.KeyArn);
    }

    [Fact]
    public async Task ListKeys_pages_with_Limit_and_Marker_until_Truncated_is_false()
    {
        // A region no other test uses, so the listing holds exactly these keys.
        using var kms = fixture.Server.Client(region: "ap-south-2");
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await kms.NewKeyAsync()).KeyId);
        }

        created.Sort(StringComparer.Ordinal);

        var first = await kms.ListKeysAsync(new ListKeysRequest { Limit = 2 });
        var second = await kms.ListKeysAsync(new ListKeysRequest { Limit = 2, Marker = first.NextMarker });

        Assert.True(first.Truncated);
        Assert.NotNull(first.NextMarker);
        Assert.Equal(created[..2], first.Keys.Select(k => k.KeyId));
        Assert.False(second.Truncated);
        Assert.Null(second.NextMarker);
        Assert.Equal(created[2..], second.Keys.Select(k => k.KeyId));
        Assert.Equal(Kms.KeyArn(created[2], "ap-south-2"), second.Keys[0].KeyArn);
    }

    [Fact]
    public async Task ListKeys_in_a_region_without_keys_is_empty_and_not_truncated()
    {
        using var kms = fixture.Server.Client(region: "af-south-1");

        var page = await kms.ListKeysAsync(new ListKeysRequest());

        Assert.Empty(page.Keys ?? []);
        Assert.False(page.Truncated);
        Assert.Null(page.NextMarker);
    }

    [Theory]
    [InlineData("not-a-marker")]
    [InlineData("!!!")]
    public async Task ListKeys_with_a_marker_it_did_not_issue_fails_with_InvalidMarker(string marker)
    {
        var act = () => _kms.ListKeysAsync(new ListKeysRequest { Marker = marker });

        await Kms.FailsAsync<InvalidMarkerException>(
            act,
            "InvalidMarkerException",
            "The request was rejected because the marker that specifies where pagination should next begin is not valid.");
    }

    [Theory]
    [InlineData(0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(1001, "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")]
    public async Task ListKeys_with_a_Limit_outside_1_to_1000_fails_with_Validation(int limit, string message)
    {
        var act = () => _kms.ListKeysAsync(new ListKeysRequest { Limit = limit });

        await Kms.FailsValidationAsync(act, message);
    }

    [Fact]
    public async Task DisableKey_makes_the_key_Disabled_and_not_Enabled()
    {
        var key = await _kms.NewKeyAsync();

        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.False(metadata.Enabled);
        Assert.Equal("Disabled", metadata.KeyState.Value);
    }

    [Fact]
    public async Task EnableKey_makes_a_disabled_key_usable_again()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.Arn });

        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.True(metadata.Enabled);
        Assert.Equal("Enabled", metadata.KeyState.Value);
        var encrypted = await _kms.EncryptAsync(key.KeyId, "again"u8.ToArray());
        Assert.Equal(key.Arn, encrypted.KeyId);
    }

    [Fact]
    public async Task EnableKey_and_DisableKey_are_idempotent()
    {
        var key = await _kms.NewKeyAsync();

        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal("Disabled", metadata.KeyState.Value);
    }

    [Fact]
    public async Task UpdateKeyDescription_replaces_the_description()
    {
        var key = await _kms.NewKeyAsync("old");

        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.Arn, Description = "new" });

        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal("new", metadata.Description);
    }

    [Fact]
    public async Task UpdateKeyDescription_of_a_disabled_key_is_allowed()
    {
        var key = await _kms.NewKeyAsync("old");
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "" });

        var metadata = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal("", metadata.Description);
    }

    [Fact]
    public async Task UpdateKeyDescription_without_a_description_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId });

        await Kms.FailsValidationAsync(act, "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null");
    }

    [Fact]
    public async Task DescribeKey_without_a_KeyId_fails_with_Validation()
    {
        var act = () => _kms.DescribeKeyAsync(new DescribeKeyRequest());

        await Kms.FailsValidationAsync(act, "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    }
}
