using System.Text.Json;
using Citadel.Core.Policies;

namespace Citadel.Core.Tests.Policies;

/// <summary>
/// Every condition operator against the IAM User Guide ("IAM JSON policy elements: Condition
/// operators", "Set operators for multivalued context keys"). In the tables, policy values and
/// request values are '|'-separated; a null request value means the key is not in the request.
/// </summary>
public sealed class ConditionOperatorTests
{
    [Theory]
    [InlineData("StringEquals", "alice", "alice", true)]
    [InlineData("StringEquals", "alice", "Alice", false)]
    [InlineData("StringEquals", "bob|alice", "alice", true)]
    [InlineData("StringEquals", "al*", "alice", false)]
    [InlineData("StringEquals", "alice", null, false)]
    [InlineData("StringNotEquals", "alice", "bob", true)]
    [InlineData("StringNotEquals", "alice", "alice", false)]
    [InlineData("StringNotEquals", "alice", "Alice", true)]
    [InlineData("StringNotEquals", "bob|alice", "alice", false)]
    [InlineData("StringNotEquals", "alice", null, true)]
    [InlineData("StringEqualsIgnoreCase", "ALICE", "alice", true)]
    [InlineData("StringEqualsIgnoreCase", "alice", "bob", false)]
    [InlineData("StringEqualsIgnoreCase", "alice", null, false)]
    [InlineData("StringNotEqualsIgnoreCase", "ALICE", "alice", false)]
    [InlineData("StringNotEqualsIgnoreCase", "alice", "bob", true)]
    [InlineData("StringNotEqualsIgnoreCase", "alice", null, true)]
    [InlineData("StringLike", "al*", "alice", true)]
    [InlineData("StringLike", "al?ce", "alice", true)]
    [InlineData("StringLike", "al?ce", "allice", false)]
    [InlineData("StringLike", "*", "", true)]
    [InlineData("StringLike", "Al*", "alice", false)]
    [InlineData("StringLike", "bo*|al*", "alice", true)]
    [InlineData("StringLike", "al*", null, false)]
    [InlineData("StringNotLike", "al*", "bob", true)]
    [InlineData("StringNotLike", "al*", "alice", false)]
    [InlineData("StringNotLike", "bo*|al*", "alice", false)]
    [InlineData("StringNotLike", "al*", null, true)]
    public void String_operators_compare_as_IAM_documents(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("aws:username", request);

        var holds = Holds(op, "aws:username", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("NumericEquals", "90", "90", true)]
    [InlineData("NumericEquals", "90", "90.0", true)]
    [InlineData("NumericEquals", "90", "91", false)]
    [InlineData("NumericEquals", "90", "ninety", false)]
    [InlineData("NumericEquals", "90", null, false)]
    [InlineData("NumericNotEquals", "90", "91", true)]
    [InlineData("NumericNotEquals", "90", "90", false)]
    [InlineData("NumericNotEquals", "90", null, true)]
    [InlineData("NumericLessThan", "365", "364", true)]
    [InlineData("NumericLessThan", "365", "365", false)]
    [InlineData("NumericLessThan", "365", null, false)]
    [InlineData("NumericLessThanEquals", "365", "365", true)]
    [InlineData("NumericLessThanEquals", "365", "366", false)]
    [InlineData("NumericGreaterThan", "90", "91", true)]
    [InlineData("NumericGreaterThan", "90", "90", false)]
    [InlineData("NumericGreaterThan", "-1", "0", true)]
    [InlineData("NumericGreaterThanEquals", "90", "90", true)]
    [InlineData("NumericGreaterThanEquals", "90", "89", false)]
    [InlineData("NumericGreaterThanEquals", "90", null, false)]
    public void Numeric_operators_compare_numbers(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("kms:RotationPeriodInDays", request);

        var holds = Holds(op, "kms:RotationPeriodInDays", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("DateEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateEquals", "2030-01-01T00:00:00Z", "2030-01-01T01:00:00+01:00", true)]
    [InlineData("DateEquals", "2030-01-01", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateEquals", "1893456000", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z", false)]
    [InlineData("DateEquals", "2030-01-01T00:00:00Z", null, false)]
    [InlineData("DateNotEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z", true)]
    [InlineData("DateNotEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", false)]
    [InlineData("DateNotEquals", "2030-01-01T00:00:00Z", null, true)]
    [InlineData("DateLessThan", "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z", true)]
    [InlineData("DateLessThan", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", false)]
    [InlineData("DateLessThanEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateLessThanEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z", false)]
    [InlineData("DateGreaterThan", "2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z", true)]
    [InlineData("DateGreaterThan", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", false)]
    [InlineData("DateGreaterThan", "2030-01-01T00:00:00Z", null, false)]
    [InlineData("DateGreaterThanEquals", "2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z", true)]
    [InlineData("DateGreaterThanEquals", "2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z", false)]
    public void Date_operators_compare_instants_in_ISO_8601_or_epoch_seconds(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("aws:CurrentTime", request);

        var holds = Holds(op, "aws:CurrentTime", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("Bool", "true", "true", true)]
    [InlineData("Bool", "false", "false", true)]
    [InlineData("Bool", "true", "false", false)]
    [InlineData("Bool", "false", "true", false)]
    [InlineData("Bool", "false", null, false)]
    [InlineData("BoolIfExists", "false", null, true)]
    [InlineData("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", true)]
    [InlineData("BinaryEquals", "QmluYXJ5VmFsdWU=", "T3RoZXJWYWx1ZQ==", false)]
    [InlineData("BinaryEquals", "QmluYXJ5VmFsdWU=", null, false)]
    public void Bool_and_BinaryEquals_compare_values(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("aws:SecureTransport", request);

        var holds = Holds(op, "aws:SecureTransport", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("IpAddress", "203.0.113.0/24", "203.0.113.7", true)]
    [InlineData("IpAddress", "203.0.113.0/24", "203.0.114.7", false)]
    [InlineData("IpAddress", "203.0.113.7", "203.0.113.7", true)]
    [InlineData("IpAddress", "203.0.113.7/32", "203.0.113.8", false)]
    [InlineData("IpAddress", "10.0.0.0/8|192.168.0.0/16", "192.168.4.2", true)]
    [InlineData("IpAddress", "0.0.0.0/0", "127.0.0.1", true)]
    [InlineData("IpAddress", "203.0.113.7/24", "203.0.113.9", true)]
    [InlineData("IpAddress", "2001:db8::/32", "2001:db8:1234::1", true)]
    [InlineData("IpAddress", "2001:db8::/32", "2001:db9::1", false)]
    [InlineData("IpAddress", "::1", "::1", true)]
    [InlineData("IpAddress", "203.0.113.0/24", "2001:db8::1", false)]
    [InlineData("IpAddress", "203.0.113.0/24", null, false)]
    [InlineData("NotIpAddress", "203.0.113.0/24", "198.51.100.1", true)]
    [InlineData("NotIpAddress", "203.0.113.0/24", "203.0.113.7", false)]
    [InlineData("NotIpAddress", "2001:db8::/32", "2001:db8::5", false)]
    [InlineData("NotIpAddress", "203.0.113.0/24", null, true)]
    public void IP_operators_match_addresses_and_CIDR_ranges_in_IPv4_and_IPv6(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("aws:SourceIp", request);

        var holds = Holds(op, "aws:SourceIp", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("ArnEquals", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/alice", true)]
    [InlineData("ArnEquals", "arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/alice", true)]
    [InlineData("ArnEquals", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/ALICE", false)]
    [InlineData("ArnEquals", "arn:aws:iam::111122223333:user/alice", null, false)]
    [InlineData("ArnLike", "arn:aws:iam::*:role/app-*", "arn:aws:iam::444455556666:role/app-reader", true)]
    [InlineData("ArnLike", "arn:aws:iam::*:role/app-*", "arn:aws:iam::444455556666:user/app-reader", false)]
    [InlineData("ArnLike", "arn:aws:iam::11112222333?:root", "arn:aws:iam::111122223333:root", true)]
    [InlineData("ArnLike", "arn:aws:iam::111122223333:*", "arn:aws:iam::111122223333:role/a/b", true)]
    [InlineData("ArnLike", "arn:aws:iam::111122223333:root", "not-an-arn", false)]
    [InlineData("ArnNotEquals", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob", true)]
    [InlineData("ArnNotEquals", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/alice", false)]
    [InlineData("ArnNotEquals", "arn:aws:iam::111122223333:user/alice", null, true)]
    [InlineData("ArnNotLike", "arn:aws:iam::*:role/app-*", "arn:aws:iam::111122223333:role/admin", true)]
    [InlineData("ArnNotLike", "arn:aws:iam::*:role/app-*", "arn:aws:iam::111122223333:role/app-x", false)]
    [InlineData("ArnNotLike", "arn:aws:iam::*:role/app-*", null, true)]
    public void ARN_operators_match_each_of_the_six_parts_with_wildcards(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("aws:PrincipalArn", request);

        var holds = Holds(op, "aws:PrincipalArn", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("true", null, true)]
    [InlineData("true", "x", false)]
    [InlineData("false", "x", true)]
    [InlineData("false", null, false)]
    [InlineData("true", "a|b", false)]
    [InlineData("false", "a|b", true)]
    public void Null_checks_whether_the_key_is_absent(string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("kms:EncryptionContextKeys", request);

        var holds = Holds("Null", "kms:EncryptionContextKeys", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("StringEqualsIfExists", "alice", null, true)]
    [InlineData("StringEqualsIfExists", "alice", "alice", true)]
    [InlineData("StringEqualsIfExists", "alice", "bob", false)]
    [InlineData("StringNotEqualsIfExists", "alice", null, true)]
    [InlineData("StringNotEqualsIfExists", "alice", "alice", false)]
    [InlineData("StringLikeIfExists", "a*", null, true)]
    [InlineData("StringLikeIfExists", "a*", "bob", false)]
    [InlineData("StringEqualsIgnoreCaseIfExists", "ALICE", "alice", true)]
    [InlineData("ArnLikeIfExists", "arn:aws:iam::*:user/*", null, true)]
    public void IfExists_passes_when_the_key_is_missing_and_compares_when_it_is_present(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("aws:username", request);

        var holds = Holds(op, "aws:username", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("NumericLessThanIfExists", "365", null, true)]
    [InlineData("NumericLessThanIfExists", "365", "400", false)]
    [InlineData("NumericLessThanIfExists", "365", "90", true)]
    [InlineData("DateLessThanIfExists", "2030-01-01T00:00:00Z", null, true)]
    [InlineData("IpAddressIfExists", "10.0.0.0/8", null, true)]
    [InlineData("NotIpAddressIfExists", "10.0.0.0/8", "10.1.2.3", false)]
    public void IfExists_applies_to_every_operator_family(string op, string policy, string? request, bool expected)
    {
        var key = op.StartsWith("Numeric", StringComparison.Ordinal) ? "kms:RotationPeriodInDays"
            : op.StartsWith("Date", StringComparison.Ordinal) ? "aws:CurrentTime" : "aws:SourceIp";
        var facts = TestFacts.Of(key, request);

        var holds = Holds(op, key, policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("ForAllValues:StringEquals", "app|env", "app", true)]
    [InlineData("ForAllValues:StringEquals", "app|env", "app|env", true)]
    [InlineData("ForAllValues:StringEquals", "app|env", "app|team", false)]
    [InlineData("ForAllValues:StringEquals", "app|env", null, true)]
    [InlineData("ForAllValues:StringLike", "a*", "app|alpha", true)]
    [InlineData("ForAllValues:StringNotEquals", "secret", "app|env", true)]
    [InlineData("ForAllValues:StringNotEquals", "secret", "app|secret", false)]
    [InlineData("ForAllValues:StringNotEquals", "secret", null, true)]
    [InlineData("ForAnyValue:StringEquals", "app|env", "team|env", true)]
    [InlineData("ForAnyValue:StringEquals", "app|env", "team|owner", false)]
    [InlineData("ForAnyValue:StringEquals", "app|env", null, false)]
    [InlineData("ForAnyValue:StringEqualsIfExists", "app|env", null, true)]
    [InlineData("ForAnyValue:StringLike", "e*", "team|env", true)]
    [InlineData("ForAnyValue:StringNotEquals", "app", "app|env", true)]
    [InlineData("ForAnyValue:StringNotEquals", "app", "app", false)]
    [InlineData("ForAnyValue:StringNotEquals", "app", null, false)]
    [InlineData("ForAnyValue:StringEqualsIgnoreCase", "APP", "team|app", true)]
    public void Set_operators_compare_every_value_of_a_multivalued_key(string op, string policy, string? request, bool expected)
    {
        var facts = TestFacts.Of("kms:EncryptionContextKeys", request);

        var holds = Holds(op, "kms:EncryptionContextKeys", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("StringEquals", "alias/app", "alias/app|alias/other", true)]
    [InlineData("StringEquals", "alias/app", "alias/x|alias/y", false)]
    [InlineData("StringNotEquals", "alias/app", "alias/app|alias/other", false)]
    [InlineData("StringNotEquals", "alias/app", "alias/x|alias/y", true)]
    public void A_single_valued_operator_on_a_multivalued_key_matches_when_any_value_matches(string op, string policy, string request, bool expected)
    {
        var facts = TestFacts.Of("kms:ResourceAliases", request);

        var holds = Holds(op, "kms:ResourceAliases", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("kms:callerAccount")]
    [InlineData("KMS:CALLERACCOUNT")]
    [InlineData("kms:CallerAccount")]
    public void Condition_key_names_are_case_insensitive(string keyName)
    {
        var facts = TestFacts.Of("kms:CallerAccount", "111122223333");

        var holds = Holds("StringEquals", keyName, "111122223333", facts);

        Assert.True(holds);
    }

    [Theory]
    [InlineData("kms:EncryptionContext:Department", "Department", true)]
    [InlineData("kms:encryptioncontext:department", "Department", true)]
    [InlineData("aws:ResourceTag/Team", "team", true)]
    [InlineData("aws:resourcetag/TEAM", "Team", true)]
    public void The_name_part_of_context_and_tag_keys_is_case_insensitive(string keyName, string factName, bool expected)
    {
        var prefix = keyName.StartsWith("kms", StringComparison.OrdinalIgnoreCase) ? "kms:EncryptionContext:" : "aws:ResourceTag/";
        var facts = TestFacts.Of(prefix + factName, "x");

        var holds = Holds("StringEquals", keyName, "x", facts);

        Assert.Equal(expected, holds);
    }

    [Fact]
    public void A_condition_key_the_server_does_not_know_is_always_missing()
    {
        var facts = TestFacts.Of("kms:CallerAccount", "111122223333");

        Assert.False(Holds("StringEquals", "custom:Anything", "111122223333", facts));
        Assert.True(Holds("StringNotEquals", "custom:Anything", "111122223333", facts));
        Assert.True(Holds("Null", "custom:Anything", "true", facts));
    }

    [Fact]
    public void Several_keys_under_one_operator_must_all_hold()
    {
        var condition = """{"StringEquals": {"kms:CallerAccount": "111122223333", "aws:username": "alice"}}""";

        Assert.True(HoldsJson(condition, TestFacts.Of("kms:CallerAccount", "111122223333").With("aws:username", "alice")));
        Assert.False(HoldsJson(condition, TestFacts.Of("kms:CallerAccount", "111122223333").With("aws:username", "bob")));
    }

    [Fact]
    public void Several_operators_must_all_hold()
    {
        var condition = """{"StringEquals": {"kms:CallerAccount": "111122223333"}, "StringLike": {"aws:username": "a*"}}""";

        Assert.True(HoldsJson(condition, TestFacts.Of("kms:CallerAccount", "111122223333").With("aws:username", "alice")));
        Assert.False(HoldsJson(condition, TestFacts.Of("kms:CallerAccount", "444455556666").With("aws:username", "alice")));
    }

    [Theory]
    [InlineData("""{"NumericLessThan": {"kms:RotationPeriodInDays": 365}}""", "90", true)]
    [InlineData("""{"Bool": {"aws:SecureTransport": true}}""", "true", true)]
    [InlineData("""{"Bool": {"aws:SecureTransport": false}}""", "true", false)]
    public void Condition_values_may_be_JSON_numbers_and_booleans(string condition, string request, bool expected)
    {
        var key = condition.Contains("Rotation", StringComparison.Ordinal) ? "kms:RotationPeriodInDays" : "aws:SecureTransport";

        var holds = HoldsJson(condition, TestFacts.Of(key, request));

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("home/${aws:username}/*", "home/alice/x", true)]
    [InlineData("home/${aws:username}/*", "home/bob/x", false)]
    [InlineData("${aws:username}", "alice", true)]
    [InlineData("${aws:USERNAME}", "alice", true)]
    [InlineData("home/${*}", "home/*", true)]
    [InlineData("home/${*}", "home/anything", false)]
    [InlineData("what${?}", "what?", true)]
    [InlineData("what${?}", "whatX", false)]
    [InlineData("cost${$}", "cost$", true)]
    public void Policy_variables_in_StringLike_are_substituted_and_the_escapes_are_literal(string policy, string request, bool expected)
    {
        var facts = TestFacts.Of("aws:username", "alice").With("kms:EncryptionContext:path", request);

        var holds = Holds("StringLike", "kms:EncryptionContext:path", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Theory]
    [InlineData("${aws:username}", "alice", "alice", true)]
    [InlineData("${aws:username}", null, "alice", false)]
    [InlineData("${aws:username, 'nobody'}", null, "nobody", true)]
    [InlineData("${aws:username, 'nobody'}", "alice", "alice", true)]
    [InlineData("${aws:username, 'nobody'}", "alice", "nobody", false)]
    [InlineData("team-${aws:PrincipalAccount}", null, "team-", false)]
    public void A_policy_variable_without_a_value_matches_nothing_unless_it_has_a_default(string policy, string? username, string request, bool expected)
    {
        var facts = TestFacts.Of("aws:username", username).With("kms:EncryptionContext:owner", request);

        var holds = Holds("StringEquals", "kms:EncryptionContext:owner", policy, facts);

        Assert.Equal(expected, holds);
    }

    [Fact]
    public void A_policy_variable_with_a_multivalued_key_matches_nothing()
    {
        var facts = TestFacts.Of("kms:EncryptionContextKeys", "a|b").With("kms:EncryptionContext:k", "a");

        var holds = Holds("StringEquals", "kms:EncryptionContext:k", "${kms:EncryptionContextKeys}", facts);

        Assert.False(holds);
    }

    internal static bool Holds(string op, string key, string policyValues, TestFacts facts)
    {
        var values = policyValues.Split('|');
        var json = values.Length == 1 ? JsonSerializer.Serialize(values[0]) : JsonSerializer.Serialize(values);
        return HoldsJson($$$"""{"{{{op}}}": {"{{{key}}}": {{{json}}}}}""", facts);
    }

    internal static bool HoldsJson(string condition, TestFacts facts)
    {
        var policy = Policy.Parse(
            $$$"""{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": {{{condition}}}}}""",
            PolicyKind.IdentityPolicy);
        Assert.True(policy.IsSuccess, policy.Error?.Message);
        return policy.Value.Statements[0].ConditionsHold(facts);
    }
}
