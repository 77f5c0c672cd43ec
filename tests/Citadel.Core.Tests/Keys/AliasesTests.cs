using Citadel.Core.Keys;

namespace Citadel.Core.Tests.Keys;

public sealed class AliasesTests
{
    [Theory]
    [InlineData("alias/a")]
    [InlineData("alias/ExampleAlias")]
    [InlineData("alias/app/prod")]
    [InlineData("alias/a:b/c_d-e9")]
    [InlineData("alias/aws/ebs")]
    public void A_name_of_allowed_characters_after_the_prefix_is_well_formed(string name)
    {
        var ok = Aliases.IsWellFormed(name);

        Assert.True(ok);
    }

    [Theory]
    [InlineData("")]
    [InlineData("alias")]
    [InlineData("alias/")]
    [InlineData("Alias/x")]
    [InlineData("x/alias/x")]
    [InlineData("alias/has space")]
    [InlineData("alias/dot.dot")]
    [InlineData("alias/ä")]
    [InlineData("alias/star*")]
    public void A_name_without_the_prefix_or_with_other_characters_is_not_well_formed(string name)
    {
        var ok = Aliases.IsWellFormed(name);

        Assert.False(ok);
    }

    [Theory]
    [InlineData(256, true)]
    [InlineData(257, false)]
    public void A_name_may_be_at_most_256_characters(int length, bool expected)
    {
        var name = "alias/" + new string('a', length - 6);

        var ok = Aliases.IsWellFormed(name);

        Assert.Equal(expected, ok);
    }

    [Theory]
    [InlineData("alias/aws/ebs", true)]
    [InlineData("alias/aws/", true)]
    [InlineData("alias/aws", false)]
    [InlineData("alias/awsx/y", false)]
    [InlineData("alias/AWS/ebs", false)]
    public void Names_under_alias_aws_are_reserved(string name, bool expected)
    {
        var reserved = Aliases.IsReserved(name);

        Assert.Equal(expected, reserved);
    }
}
