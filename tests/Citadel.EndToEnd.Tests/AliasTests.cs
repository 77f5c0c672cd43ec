using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>CreateAlias, UpdateAlias, DeleteAlias, ListAliases.</summary>
[Collection("server")]
public sealed class AliasTests(ServerFixture fixture)
{
    private const string PrefixMessage = "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html";

    private readonly AmazonKeyManagementServiceClient _kms = fixture.Kms;

    [Fact]
    public async Task CreateAlias_makes_the_alias_appear_in_ListAliases_of_its_key()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        var before = DateTime.UtcNow.AddSeconds(-2);

        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var listed = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });
        var entry = Assert.Single(listed.Aliases);
        Assert.Equal(alias, entry.AliasName);
        Assert.Equal(Kms.AliasArn(alias), entry.AliasArn);
        Assert.Equal(key.KeyId, entry.TargetKeyId);
        Assert.InRange(entry.CreationDate!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(2));
        Assert.Equal(entry.CreationDate, entry.LastUpdatedDate);
        Assert.False(listed.Truncated);
        Assert.Null(listed.NextMarker);
    }

    [Fact]
    public async Task CreateAlias_accepts_the_target_as_key_ARN()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();

        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.Arn });

        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });
        Assert.Equal(key.KeyId, described.KeyMetadata.KeyId);
    }

    [Fact]
    public async Task CreateAlias_with_a_name_that_exists_fails_with_AlreadyExists()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var act = () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        await Kms.FailsAsync<AlreadyExistsException>(act, "AlreadyExistsException", $"An alias with the name {Kms.AliasArn(alias)} already exists");
    }

    [Fact]
    public async Task CreateAlias_in_the_reserved_alias_aws_namespace_fails_with_NotAuthorized()
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/e2e", TargetKeyId = key.KeyId });

        // NotAuthorizedException is not in the KMS model, so the SDK raises its base exception; AWS's text is not captured.
        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            act,
            "NotAuthorizedException",
            "alias/aws/e2e is reserved: aliases that begin with alias/aws/ belong to AWS managed keys.");
    }

    [Theory]
    [InlineData("e2e-no-prefix")]
    [InlineData("alias/")]
    [InlineData("aliases/e2e")]
    public async Task CreateAlias_without_the_alias_prefix_fails_with_Validation(string aliasName)
    {
        var key = await _kms.NewKeyAsync();

        var act = () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = aliasName, TargetKeyId = key.KeyId });

        await Kms.FailsValidationAsync(act, PrefixMessage);
    }

    [Fact]
    public async Task CreateAlias_with_characters_outside_the_pattern_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();

#pragma warning disable KeyManagementService1002 // the SDK analyzer knows the pattern; the test sends what it forbids on purpose.
        var act = () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/has space", TargetKeyId = key.KeyId });
#pragma warning restore KeyManagementService1002

        await Kms.FailsValidationAsync(
            act,
            "1 validation error detected: Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
    }

    [Fact]
    public async Task CreateAlias_that_targets_an_alias_fails_with_Validation()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var act = () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName(), TargetKeyId = alias });

        await Kms.FailsValidationAsync(act, "Aliases must refer to keys. Not aliases");
    }

    [Fact]
    public async Task CreateAlias_for_an_unknown_key_fails_with_NotFound()
    {
        var missing = Guid.NewGuid().ToString();

        var act = () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName(), TargetKeyId = missing });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Key '{Kms.KeyArn(missing)}' does not exist");
    }

    [Fact]
    public async Task CreateAlias_without_a_target_fails_with_Validation()
    {
        var act = () => _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName() });

        await Kms.FailsValidationAsync(act, "1 validation error detected: Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null");
    }

    [Fact]
    public async Task UpdateAlias_points_the_alias_at_another_key()
    {
        var first = await _kms.NewKeyAsync();
        var second = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });

        await _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = second.KeyId });

        var encrypted = await _kms.EncryptAsync(alias, "x"u8.ToArray());
        Assert.Equal(second.Arn, encrypted.KeyId);
        var listed = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = second.KeyId });
        Assert.Equal(alias, Assert.Single(listed.Aliases).AliasName);
        var old = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = first.KeyId });
        Assert.Empty(old.Aliases ?? []);
    }

    [Fact]
    public async Task UpdateAlias_of_an_alias_that_does_not_exist_fails_with_NotFound()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();

        var act = () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Alias {Kms.AliasArn(alias)} is not found.");
    }

    [Fact]
    public async Task UpdateAlias_to_a_key_pending_deletion_fails_with_KMSInvalidState()
    {
        var first = await _kms.NewKeyAsync();
        var second = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = second.KeyId, PendingWindowInDays = 7 });

        var act = () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = second.KeyId });

        await Kms.FailsAsync<KMSInvalidStateException>(act, "KMSInvalidStateException", $"{second.Arn} is pending deletion.");
    }

    [Fact]
    public async Task DeleteAlias_removes_the_alias_and_leaves_the_key()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });

        await _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias });

        var act = () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });
        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Alias {Kms.AliasArn(alias)} is not found.");
        var listed = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });
        Assert.Empty(listed.Aliases ?? []);
        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal("Enabled", described.KeyMetadata.KeyState.Value);
    }

    [Fact]
    public async Task DeleteAlias_frees_the_name_for_a_new_alias()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias });

        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });
        Assert.Equal(key.KeyId, described.KeyMetadata.KeyId);
    }

    [Fact]
    public async Task DeleteAlias_of_an_alias_that_does_not_exist_fails_with_NotFound()
    {
        var alias = Kms.NewAliasName();

        var act = () => _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Alias {Kms.AliasArn(alias)} is not found.");
    }

    [Fact]
    public async Task DeleteAlias_without_the_alias_prefix_fails_with_Validation()
    {
        var act = () => _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "e2e-no-prefix" });

        await Kms.FailsValidationAsync(act, PrefixMessage);
    }

    [Fact]
    public async Task ListAliases_pages_with_Limit_and_Marker_until_Truncated_is_false()
    {
        // A region no other test uses, so the listing holds exactly these aliases.
        using var kms = fixture.Server.Client(region: "ca-west-1");
        var key = await kms.NewKeyAsync();
        string[] names = ["alias/page-a", "alias/page-b", "alias/page-c"];
        foreach (var name in names)
        {
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key.KeyId });
        }

        // By key, so the predefined alias/aws/* entries (listed for every region) stay out of the page.
        var first = await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId, Limit = 2 });
        var second = await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId, Limit = 2, Marker = first.NextMarker });

        Assert.True(first.Truncated);
        Assert.NotNull(first.NextMarker);
        Assert.Equal(names[..2], first.Aliases.Select(a => a.AliasName));
        Assert.False(second.Truncated);
        Assert.Null(second.NextMarker);
        var last = Assert.Single(second.Aliases);
        Assert.Equal("alias/page-c", last.AliasName);
        Assert.Equal(Kms.AliasArn("alias/page-c", "ca-west-1"), last.AliasArn);
    }

    [Fact]
    public async Task ListAliases_with_a_marker_it_did_not_issue_fails_with_InvalidMarker()
    {
        var act = () => _kms.ListAliasesAsync(new ListAliasesRequest { Marker = "bm90IGFuIGFsaWFz" });

        await Kms.FailsAsync<InvalidMarkerException>(
            act,
            "InvalidMarkerException",
            "The request was rejected because the marker that specifies where pagination should next begin is not valid.");
    }

    [Fact]
    public async Task ListAliases_of_an_unknown_key_fails_with_NotFound()
    {
        var missing = Guid.NewGuid().ToString();

        var act = () => _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = missing });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Key '{Kms.KeyArn(missing)}' does not exist");
    }

    [Fact]
    public async Task An_alias_is_not_visible_from_another_region()
    {
        var key = await _kms.NewKeyAsync();
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        using var europe = fixture.Server.Client(region: "eu-west-1");

        var act = () => europe.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", $"Alias {Kms.AliasArn(alias, "eu-west-1")} is not found.");
    }

    [Fact]
    public async Task The_same_alias_name_can_name_different_keys_in_different_regions()
    {
        using var europe = fixture.Server.Client(region: "eu-west-3");
        var here = await _kms.NewKeyAsync();
        var there = await europe.NewKeyAsync();
        var alias = Kms.NewAliasName();

        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = here.KeyId });
        await europe.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = there.KeyId });

        Assert.Equal(here.Arn, (await _kms.EncryptAsync(alias, "x"u8.ToArray())).KeyId);
        Assert.Equal(there.Arn, (await europe.EncryptAsync(alias, "x"u8.ToArray())).KeyId);
        Assert.Equal(Kms.KeyArn(there.KeyId, "eu-west-3"), there.Arn);
    }
}
