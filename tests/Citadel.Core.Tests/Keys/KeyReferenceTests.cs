using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Keys;

public sealed class KeyReferenceTests
{
    private const string Id = "1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public void A_key_id_parses_as_a_key_id()
    {
        var ok = KeyReference.TryParse(Id, out var reference);

        Assert.True(ok);
        Assert.Equal(new KeyReference(KeyReferenceKind.KeyId, new KeyId(Guid.Parse(Id)), null, null, null), reference);
        Assert.False(reference.IsAlias);
    }

    [Fact]
    public void A_key_ARN_parses_with_its_region_and_account()
    {
        var ok = KeyReference.TryParse($"arn:aws:kms:us-west-2:111122223333:key/{Id}", out var reference);

        Assert.True(ok);
        Assert.Equal(new KeyReference(KeyReferenceKind.KeyArn, new KeyId(Guid.Parse(Id)), null, "us-west-2", "111122223333"), reference);
        Assert.False(reference.IsAlias);
    }

    [Fact]
    public void A_key_ARN_in_the_callers_region_and_account_reuses_those_strings()
    {
        var region = new string("us-west-2".AsSpan());
        var account = new string("111122223333".AsSpan());

        var ok = KeyReference.TryParse($"arn:aws:kms:us-west-2:111122223333:key/{Id}", region, account, out var reference);

        Assert.True(ok);
        Assert.Same(region, reference.Region);
        Assert.Same(account, reference.AccountId);
    }

    [Fact]
    public void A_key_ARN_in_another_region_and_account_keeps_its_own()
    {
        var ok = KeyReference.TryParse($"arn:aws:kms:us-west-2:111122223333:key/{Id}", "eu-west-1", "444455556666", out var reference);

        Assert.True(ok);
        Assert.Equal(new KeyReference(KeyReferenceKind.KeyArn, new KeyId(Guid.Parse(Id)), null, "us-west-2", "111122223333"), reference);
    }

    [Fact]
    public void An_alias_name_parses_as_an_alias_name()
    {
        var ok = KeyReference.TryParse("alias/ExampleAlias", out var reference);

        Assert.True(ok);
        Assert.Equal(new KeyReference(KeyReferenceKind.AliasName, default, "alias/ExampleAlias", null, null), reference);
        Assert.True(reference.IsAlias);
    }

    [Fact]
    public void An_alias_ARN_parses_with_its_region_and_account()
    {
        var ok = KeyReference.TryParse("arn:aws:kms:eu-central-1:111122223333:alias/app/prod", out var reference);

        Assert.True(ok);
        Assert.Equal(new KeyReference(KeyReferenceKind.AliasArn, default, "alias/app/prod", "eu-central-1", "111122223333"), reference);
        Assert.True(reference.IsAlias);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890a")]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890abc")]
    [InlineData("{1234abcd-12ab-34cd-56ef-1234567890ab}")]
    [InlineData("1234abcd12ab34cd56ef1234567890ab")]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ag")]
    [InlineData("key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("alias/")]
    [InlineData("alias/has space")]
    [InlineData("alias")]
    [InlineData("Alias/upper")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/not-a-uuid")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/")]
    [InlineData("arn:aws:kms:us-east-1:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws:kms:us-east-1:1111222233334:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws:kms:us-east-1:11112222333a:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws:kms::111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws:s3:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws:kms:us-east-1:111122223333")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/bad name")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:grant/1234abcd-12ab-34cd-56ef-1234567890ab")]
    public void A_malformed_reference_does_not_parse(string text)
    {
        var ok = KeyReference.TryParse(text, out var reference);

        Assert.False(ok);
        Assert.Equal(default, reference);
    }
}
