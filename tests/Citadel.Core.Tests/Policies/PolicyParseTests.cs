using Citadel.Core.Errors;
using Citadel.Core.Policies;

namespace Citadel.Core.Tests.Policies;

/// <summary>Policies that do not compile fail with MalformedPolicyDocument and a message that says what is wrong.</summary>
public sealed class PolicyParseTests
{
    private const string Allow = """{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}""";

    public static TheoryData<string, string> MalformedKeyPolicies() => new()
    {
        { "{", "The policy is not valid JSON." },
        { """{"Version": "2012-10-17", "Statement": [],}""", "The policy is not valid JSON." },
        { "[]", "The policy must be a JSON object." },
        { """{"Version": "2012-10-17"}""", "The policy has no Statement." },
        { """{"Version": "2012-10-17", "Statement": []}""", "Statement must be an object or a non-empty array of objects." },
        { """{"Version": "2012-10-17", "Statement": "Allow"}""", "Statement must be an object or a non-empty array of objects." },
        { """{"Version": "2012-10-18", "Statement": [ALLOW]}""", "Version must be \"2012-10-17\" or \"2008-10-17\"." },
        { """{"Version": "2012-10-17", "Policy": 1, "Statement": [ALLOW]}""", "Unknown policy element \"Policy\"." },
        { """{"Version": "2012-10-17", "Statement": [ALLOW, 3]}""", "Statement 2 is not an object." },
        { """{"Statement": {"Effect": "Permit", "Principal": "*", "Action": "kms:*"}}""", "Statement 1: Effect must be \"Allow\" or \"Deny\"." },
        { """{"Statement": {"Effect": "allow", "Principal": "*", "Action": "kms:*"}}""", "Statement 1: Effect must be \"Allow\" or \"Deny\"." },
        { """{"Statement": {"Principal": "*", "Action": "kms:*"}}""", "Statement 1 has no Effect." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*"}}""", "Statement 1 has no Action." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "Encrypt"}}""", "Statement 1: Action must name actions such as \"kms:Encrypt\" or \"kms:*\"." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": []}}""", "Statement 1: Action must name actions such as \"kms:Encrypt\" or \"kms:*\"." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotAction": "kms:Decrypt"}}""", "Statement 1 has both Action and NotAction." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": 5}}""", "Statement 1: Resource must be a string or an array of strings." },
        { """{"Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}""", "Statement 1 has no Principal; every statement of a key policy names one." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "kms:*"}}""", "Statement 1 has both Principal and NotPrincipal." },
        { """{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1111:root"}, "Action": "kms:*"}}""", "Policy contains a statement with one or more invalid principals." },
        { """{"Statement": {"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "kms:*"}}""", "Policy contains a statement with one or more invalid principals." },
        { """{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}, "Action": "kms:*"}}""", "Policy contains a statement with one or more invalid principals." },
        { """{"Statement": {"Effect": "Allow", "Principal": "alice", "Action": "kms:*"}}""", "Policy contains a statement with one or more invalid principals." },
        { """{"Statement": {"Effect": "Allow", "Principal": {"Users": "x"}, "Action": "kms:*"}}""", "Policy contains a statement with one or more invalid principals." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"StringEqual": {"kms:CallerAccount": "111122223333"}}}}""", "Statement 1: unknown condition operator \"StringEqual\"." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"stringequals": {"kms:CallerAccount": "111122223333"}}}}""", "Statement 1: unknown condition operator \"stringequals\"." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"ForSomeValues:StringEquals": {"kms:CallerAccount": "1"}}}}""", "Statement 1: unknown condition operator \"ForSomeValues:StringEquals\"." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"NullIfExists": {"kms:CallerAccount": "true"}}}}""", "Statement 1: unknown condition operator \"NullIfExists\"." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"StringEquals": "x"}}}""", "Statement 1: the condition StringEquals must map condition keys to values." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"StringEquals": {"kms:CallerAccount": {"a": 1}}}}}""", "Statement 1: the values of kms:CallerAccount in StringEquals must be strings, numbers or booleans." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"StringEquals": {"kms:CallerAccount": []}}}}""", "Statement 1: the values of kms:CallerAccount in StringEquals must be strings, numbers or booleans." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"IpAddress": {"aws:SourceIp": "not-an-ip"}}}}""", "Statement 1: IpAddress needs IP addresses or CIDR ranges." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}}""", "Statement 1: NotIpAddress needs IP addresses or CIDR ranges." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Condition": "x"}}""", "Statement 1: Condition must be an object." },
        { """{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Effects": "Allow"}}""", "Statement 1 has an unknown element \"Effects\"." },
    };

    [Theory]
    [MemberData(nameof(MalformedKeyPolicies))]
    public void A_malformed_key_policy_fails_with_a_message_naming_the_problem(string json, string message)
    {
        var result = Policy.Parse(json.Replace("ALLOW", Allow, StringComparison.Ordinal), PolicyKind.KeyPolicy);

        Assert.False(result.IsSuccess);
        Assert.Equal(new KmsError(KmsErrorCode.MalformedPolicyDocument, message), result.Error);
    }

    public static TheoryData<string, string> MalformedIdentityPolicies() => new()
    {
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}}""", "Statement 1 has a Principal; identity policies apply to the identity they are attached to and cannot name one." },
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*"}}""", "Statement 1 has no Resource." },
        { """{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, {"Effect": "Deny", "Action": "kms:*", "Resource": "*", "Condition": {"Foo": {"k": "v"}}}]}""", "Statement 2: unknown condition operator \"Foo\"." },
    };

    [Theory]
    [MemberData(nameof(MalformedIdentityPolicies))]
    public void A_malformed_identity_policy_fails_with_a_message_naming_the_problem(string json, string message)
    {
        var result = Policy.Parse(json, PolicyKind.IdentityPolicy);

        Assert.Equal(new KmsError(KmsErrorCode.MalformedPolicyDocument, message), result.Error);
    }

    [Theory]
    [InlineData("""{"Version": "2012-10-17", "Statement": ALLOW}""")]
    [InlineData("""{"Version": "2008-10-17", "Id": "key-default-1", "Statement": [ALLOW]}""")]
    [InlineData("""{"Statement": [ALLOW]}""")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/app", "arn:aws:sts::444455556666:assumed-role/app/session"]}, "Action": ["kms:Encrypt", "kms:Decrypt"]}}""")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:*"}}""")]
    [InlineData("""{"Statement": {"Sid": "s", "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "NotAction": "kms:Describe*", "NotResource": "arn:aws:kms:*:*:key/x"}}""")]
    [InlineData("""{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"ForAnyValue:StringLikeIfExists": {"kms:ResourceAliases": ["alias/a*", "alias/b*"]}, "NumericLessThan": {"kms:RotationPeriodInDays": 400}, "Bool": {"aws:SecureTransport": false}, "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32", "::1"]}}}}""")]
    public void Well_formed_key_policies_compile(string json)
    {
        var result = Policy.Parse(json.Replace("ALLOW", Allow, StringComparison.Ordinal), PolicyKind.KeyPolicy);

        Assert.True(result.IsSuccess, result.Error?.Message);
    }

    [Fact]
    public void A_compiled_policy_keeps_its_statements_in_order_with_their_elements()
    {
        var json = """
            {"Version": "2012-10-17", "Statement": [
              {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"},
              {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/admin"]}, "NotAction": ["kms:Describe*", "kms:List*"], "Resource": "*",
               "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}
            ]}
            """;

        var policy = Policy.Parse(json, PolicyKind.KeyPolicy).Value;

        Assert.Equal("2012-10-17", policy.Version);
        Assert.Equal(2, policy.Statements.Count);
        var (root, deny) = (policy.Statements[0], policy.Statements[1]);
        Assert.Equal("\"Root\"", root.Name);
        Assert.Equal(["arn:aws:iam::111122223333:root"], root.Principal!.AwsArns);
        Assert.Equal("#2", deny.Name);
        Assert.True(deny.IsNotPrincipal);
        Assert.True(deny.IsNotAction);
        Assert.Equal(Effect.Deny, deny.Effect);
        Assert.Equal(KnownConditionKey.AwsResourceTag, deny.Conditions[0].Key.Known);
        Assert.Equal("env", deny.Conditions[0].Key.Suffix);
        Assert.True(policy.UsesResourceTags);
        Assert.False(policy.UsesResourceAliases);
    }
}
