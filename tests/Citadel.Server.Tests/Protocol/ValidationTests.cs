using System.Text.RegularExpressions;
using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Model;

namespace Citadel.Server.Tests.Protocol;

public sealed class ValidationTests
{
    private const string AliasPattern = "^[a-zA-Z0-9:/_-]+$";

    private static readonly StringShape AliasName = new() { Min = 1, Max = 256, Pattern = AliasPattern, Regex = new Regex("\\A(?:" + AliasPattern + ")\\z", RegexOptions.ECMAScript) };
    private static readonly StringShape TagKey = new() { Min = 1, Max = 128 };
    private static readonly StringShape GrantToken = new() { Min = 1, Max = 8192, Secret = true };
    private static readonly StringShape DataKeySpec = new() { Enum = ["AES_256", "AES_128"] };

    [Fact]
    public void One_violation_is_reported_as_1_validation_error()
    {
        var validation = new Validation();
        validation.Required("x", "keyId");
        validation.Length("abc", "keyId", 1, 2048);
        validation.Range(5, "pendingWindowInDays", 7, 30);

        var error = validation.ToError();

        Assert.True(validation.HasErrors);
        Assert.Equal(
            new KmsError(KmsErrorCode.Validation, "1 validation error detected: Value '5' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7"),
            error);
    }

    [Fact]
    public void Valid_values_give_no_error()
    {
        var validation = new Validation();
        validation.Required("x", "keyId");
        validation.Length("abc", "keyId", 1, 2048);
        validation.BlobLength([1, 2], "plaintext", 1, 4096);
        validation.Range(7, "pendingWindowInDays", 7, 30);
        validation.Count(new[] { "a" }, "tagKeys", 1, 50);
        validation.Enum("AES_256", "keySpec", ["AES_256", "AES_128"]);
        validation.String("alias/a", "aliasName", AliasName);
        validation.StringMembers(["a", "b"], "tagKeys", TagKey);

        var error = validation.ToError();

        Assert.False(validation.HasErrors);
        Assert.Null(error);
    }

    [Fact]
    public void Absent_optional_values_are_not_checked()
    {
        var validation = new Validation();
        validation.Length(null, "description", 0, 8192);
        validation.BlobLength(null, "plaintext", 1, 4096);
        validation.Range(null, "numberOfBytes", 1, 1024);
        validation.Count<string>(null, "tagKeys", 1, 50);
        validation.Enum(null, "keySpec", ["AES_256"]);
        validation.String(null, "aliasName", AliasName);
        validation.StringMembers(null, "tagKeys", TagKey);

        var error = validation.ToError();

        Assert.Null(error);
    }

    [Fact]
    public void Two_violations_are_counted_and_joined_with_a_semicolon()
    {
        var validation = new Validation();
        validation.Required(null, "keyId");
        validation.Range(2000, "numberOfBytes", 1, 1024);

        var error = validation.ToError();

        Assert.Equal(
            new KmsError(
                KmsErrorCode.Validation,
                "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; "
                + "Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"),
            error);
    }

    [Theory]
    [InlineData(0, "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")]
    [InlineData(4097, "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")]
    public void A_blob_value_is_never_echoed(int length, string expected)
    {
        var validation = new Validation();
        validation.BlobLength(new byte[length], "plaintext", 1, 4096);

        var error = validation.ToError();

        Assert.Equal("1 validation error detected: " + expected, error?.Message);
    }

    [Fact]
    public void An_enum_violation_lists_the_allowed_values_in_model_order()
    {
        var validation = new Validation();
        validation.String("AES_512", "keySpec", DataKeySpec);

        var error = validation.ToError();

        Assert.Equal(
            "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
            error?.Message);
    }

    [Fact]
    public void A_string_shorter_than_the_minimum_is_echoed()
    {
        var validation = new Validation();
        validation.Length("", "keyId", 1, 2048);

        var error = validation.ToError();

        Assert.Equal("1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1", error?.Message);
    }

    [Fact]
    public void A_string_longer_than_256_characters_is_echoed_whole()
    {
        var validation = new Validation();
        validation.Length(new string('k', 300), "description", 0, 299);

        var error = validation.ToError();

        Assert.Equal(
            $"1 validation error detected: Value '{new string('k', 300)}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 299",
            error?.Message);
    }

    [Fact]
    public void A_pattern_violation_names_the_pattern()
    {
        var validation = new Validation();
        validation.String("alias/a b", "aliasName", AliasName);

        var error = validation.ToError();

        Assert.Equal(
            "1 validation error detected: Value 'alias/a b' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
            error?.Message);
    }

    [Theory]
    [InlineData(0, "Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1")]
    [InlineData(51, "Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")]
    public void A_list_with_too_few_or_too_many_members_fails(int count, string expected)
    {
        var validation = new Validation();
        validation.Count(Enumerable.Repeat("k", count).ToArray(), "tagKeys", 1, 50);

        var error = validation.ToError();

        Assert.Equal("1 validation error detected: " + expected, error?.Message);
    }

    public static TheoryData<string, string> StringViolations() => new()
    {
        { "", "Value '' at 'aliasName' failed to satisfy constraint: Member must have length greater than or equal to 1; "
            + $"Value '' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: {AliasPattern}" },
        { "alias/" + new string('a', 251), $"Value 'alias/{new string('a', 251)}' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256" },
        { "alias/é", $"Value 'alias/é' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: {AliasPattern}" },
        { "alias/a\n", $"Value 'alias/a\n' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: {AliasPattern}" },
    };

    [Theory]
    [MemberData(nameof(StringViolations))]
    public void A_string_is_checked_for_length_then_pattern_and_each_violation_is_reported(string value, string expected)
    {
        var validation = new Validation();
        validation.String(value, "aliasName", AliasName);

        var error = validation.ToError();

        Assert.EndsWith(expected, error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_string_is_never_echoed()
    {
        var validation = new Validation();
        validation.String(new string('t', 8193), "grantToken", GrantToken);

        var error = validation.ToError();

        Assert.Equal("1 validation error detected: Value at 'grantToken' failed to satisfy constraint: Member must have length less than or equal to 8192", error?.Message);
    }

    public static TheoryData<string?[], string> ListMemberViolations() => new()
    {
        { ["a", ""], "Value '[a, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
            + "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]" },
        { ["a", new string('k', 129)], $"Value '[a, {new string('k', 129)}]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
            + "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]" },
        { ["a", null], "Value '[a, null]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: "
            + "[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must not be null]" },
    };

    [Theory]
    [MemberData(nameof(ListMemberViolations))]
    public void A_list_with_a_bad_member_is_reported_once_with_the_member_constraints(string?[] values, string expected)
    {
        var validation = new Validation();
        validation.StringMembers([.. values.Select(v => v!)], "tagKeys", TagKey);

        var error = validation.ToError();

        Assert.Equal("1 validation error detected: " + expected, error?.Message);
    }

    [Fact]
    public void A_list_member_outside_its_enum_lists_the_enum()
    {
        var validation = new Validation();
        validation.StringMembers(["AES_256", "AES_512"], "keySpecs", DataKeySpec);

        var error = validation.ToError();

        Assert.Equal(
            "1 validation error detected: Value '[AES_256, AES_512]' at 'keySpecs' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [AES_256, AES_128]]",
            error?.Message);
    }

    [Fact]
    public void A_bad_grant_token_in_a_list_is_never_echoed()
    {
        var validation = new Validation();
        validation.StringMembers(["secret-token", ""], "grantTokens", GrantToken);

        var error = validation.ToError();

        Assert.Equal(
            "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must satisfy constraint: "
            + "[Member must have length less than or equal to 8192, Member must have length greater than or equal to 1]",
            error?.Message);
        Assert.DoesNotContain("secret-token", error?.Message, StringComparison.Ordinal);
    }
}
