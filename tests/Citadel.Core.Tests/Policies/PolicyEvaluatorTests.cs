using Citadel.Core.Policies;

namespace Citadel.Core.Tests.Policies;

/// <summary>
/// AWS's evaluation for KMS (KMS developer guide, "Key policies", "Determining access"; IAM User
/// Guide, "Policy evaluation logic", "Cross-account policy evaluation logic").
/// </summary>
public sealed class PolicyEvaluatorTests
{
    private const string A = "111122223333";
    private const string B = "444455556666";
    private const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string OtherKeyArn = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
    private const string Alice = "arn:aws:iam::111122223333:user/alice";
    private const string Bob = "arn:aws:iam::111122223333:user/bob";
    private const string AppRole = "arn:aws:iam::111122223333:role/app";
    private const string RootA = "arn:aws:iam::111122223333:root";
    private const string Carol = "arn:aws:iam::444455556666:user/carol";
    private const string RootB = "arn:aws:iam::444455556666:root";

    private static readonly string DefaultKeyPolicy = KeyPolicy(Allow($$"""{"AWS": "{{RootA}}"}""", "kms:*"));
    private static readonly string AllowEverything = IdentityPolicy(Allow(null, "kms:*"));

    [Fact]
    public void The_account_root_is_allowed_by_the_default_key_policy_without_identity_policies()
    {
        var result = Evaluate(RootA, "kms:Encrypt", DefaultKeyPolicy);

        Assert.True(result.Allowed);
        Assert.Equal("key policy", result.Source);
        Assert.Equal(1, result.Decisive!.Index);
    }

    [Fact]
    public void A_user_without_identity_policies_is_denied_by_the_default_key_policy()
    {
        var result = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy);

        Assert.False(result.Allowed);
        Assert.Equal(Denial.NoIdentityPolicyAllows, result.Denial);
    }

    [Fact]
    public void The_default_key_policy_delegates_to_an_identity_policy_that_allows()
    {
        var result = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy, [AllowEverything]);

        Assert.True(result.Allowed);
        Assert.Equal("identity policy", result.Source);
    }

    [Fact]
    public void A_key_policy_naming_a_role_allows_it_without_identity_policies()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{AppRole}}"}""", "kms:Encrypt"));

        var role = Evaluate(AppRole, "kms:Encrypt", policy);
        var other = Evaluate(Alice, "kms:Encrypt", policy, [AllowEverything]);

        Assert.True(role.Allowed);
        Assert.Equal("key policy", role.Source);
        Assert.False(other.Allowed);
        Assert.Equal(Denial.NoResourcePolicyAllows, other.Denial);
    }

    [Fact]
    public void An_identity_policy_alone_does_not_allow_when_the_key_policy_does_not_delegate_to_the_account()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{Bob}}"}""", "kms:*"));

        var result = Evaluate(Alice, "kms:Encrypt", policy, [AllowEverything]);

        Assert.False(result.Allowed);
        Assert.Equal(Denial.NoResourcePolicyAllows, result.Denial);
    }

    [Fact]
    public void A_bare_account_id_as_principal_delegates_like_the_account_root_ARN()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{A}}"}""", "kms:*"));

        var root = Evaluate(RootA, "kms:Encrypt", policy);
        var without = Evaluate(Alice, "kms:Encrypt", policy);
        var with = Evaluate(Alice, "kms:Encrypt", policy, [AllowEverything]);

        Assert.True(root.Allowed);
        Assert.Equal(Denial.NoIdentityPolicyAllows, without.Denial);
        Assert.True(with.Allowed);
    }

    [Fact]
    public void Principal_star_allows_every_principal_of_the_account_directly()
    {
        var policy = KeyPolicy(Allow("\"*\"", "kms:Encrypt"));

        var result = Evaluate(Alice, "kms:Encrypt", policy);

        Assert.True(result.Allowed);
    }

    [Fact]
    public void An_explicit_deny_in_the_key_policy_overrides_an_allow_in_it()
    {
        var policy = KeyPolicy(
            Allow($$"""{"AWS": "{{Alice}}"}""", "kms:*"),
            Deny($$"""{"AWS": "{{Alice}}"}""", "kms:Encrypt"));

        var encrypt = Evaluate(Alice, "kms:Encrypt", policy);
        var decrypt = Evaluate(Alice, "kms:Decrypt", policy);

        Assert.Equal(Denial.ExplicitDenyInResourcePolicy, encrypt.Denial);
        Assert.Equal(2, encrypt.Decisive!.Index);
        Assert.True(decrypt.Allowed);
    }

    [Fact]
    public void An_explicit_deny_in_an_identity_policy_overrides_an_allow_in_the_key_policy()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{Alice}}"}""", "kms:*"));
        var deny = IdentityPolicy(Deny(null, "kms:Encrypt"));

        var result = Evaluate(Alice, "kms:Encrypt", policy, [AllowEverything, deny]);

        Assert.Equal(Denial.ExplicitDenyInIdentityPolicy, result.Denial);
    }

    [Fact]
    public void An_explicit_deny_overrides_a_grant()
    {
        var policy = KeyPolicy(
            Allow($$"""{"AWS": "{{RootA}}"}""", "kms:*"),
            Deny($$"""{"AWS": "{{Alice}}"}""", "kms:Decrypt"));

        var result = Evaluate(Alice, "kms:Decrypt", policy, grantAllows: true);

        Assert.Equal(Denial.ExplicitDenyInResourcePolicy, result.Denial);
    }

    [Fact]
    public void A_deny_naming_the_account_applies_to_every_principal_in_it()
    {
        var policy = KeyPolicy(
            Allow($$"""{"AWS": "{{Alice}}"}""", "kms:*"),
            Deny($$"""{"AWS": "{{RootA}}"}""", "kms:ScheduleKeyDeletion"));

        var result = Evaluate(Alice, "kms:ScheduleKeyDeletion", policy);

        Assert.Equal(Denial.ExplicitDenyInResourcePolicy, result.Denial);
    }

    [Fact]
    public void A_grant_allows_on_its_own()
    {
        var result = Evaluate(Alice, "kms:Decrypt", DefaultKeyPolicy, grantAllows: true);

        Assert.True(result.Allowed);
        Assert.Equal("grant", result.Source);
    }

    [Fact]
    public void A_grant_allows_a_principal_of_another_account_on_its_own()
    {
        var result = Evaluate(Carol, "kms:Decrypt", DefaultKeyPolicy, grantAllows: true);

        Assert.True(result.Allowed);
    }

    [Theory]
    [InlineData("kms:*", "kms:Encrypt", true)]
    [InlineData("*", "kms:Encrypt", true)]
    [InlineData("kms:Generate*", "kms:GenerateDataKeyWithoutPlaintext", true)]
    [InlineData("kms:Generate*", "kms:Encrypt", false)]
    [InlineData("kms:*crypt", "kms:Decrypt", true)]
    [InlineData("kms:?ncrypt", "kms:Encrypt", true)]
    [InlineData("KMS:ENCRYPT", "kms:Encrypt", true)]
    [InlineData("kms:encrypt", "kms:Encrypt", true)]
    [InlineData("s3:*", "kms:Encrypt", false)]
    [InlineData("kms:Encrypt|kms:Decrypt", "kms:Decrypt", true)]
    public void Action_patterns_match_with_wildcards_and_without_regard_to_case(string actions, string action, bool expected)
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{Alice}}"}""", actions.Split('|')));

        var result = Evaluate(Alice, action, policy);

        Assert.Equal(expected, result.Allowed);
    }

    [Theory]
    [InlineData("kms:Decrypt", "kms:Encrypt", true)]
    [InlineData("kms:Decrypt", "kms:Decrypt", false)]
    [InlineData("kms:*Key*", "kms:ScheduleKeyDeletion", false)]
    [InlineData("kms:*Key*", "kms:Encrypt", true)]
    public void NotAction_matches_every_action_except_those_listed(string notActions, string action, bool expected)
    {
        var identity = IdentityPolicy($$"""{"Effect": "Allow", "NotAction": "{{notActions}}", "Resource": "*"}""");

        var result = Evaluate(Alice, action, DefaultKeyPolicy, [identity]);

        Assert.Equal(expected, result.Allowed);
    }

    [Theory]
    [InlineData(KeyArn, KeyArn, true)]
    [InlineData(OtherKeyArn, KeyArn, false)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/*", KeyArn, true)]
    [InlineData("arn:aws:kms:*:111122223333:*", KeyArn, true)]
    [InlineData("arn:aws:kms:eu-west-1:111122223333:key/*", KeyArn, false)]
    [InlineData("arn:aws:kms:us-east-1:444455556666:key/*", KeyArn, false)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/1234ABCD-*", KeyArn, false)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/1234abcd-??ab-*", KeyArn, true)]
    public void Resource_patterns_in_identity_policies_match_the_key_ARN_case_sensitively(string resource, string key, bool expected)
    {
        var identity = IdentityPolicy($$"""{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "{{resource}}"}""");

        var result = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy, [identity], resource: key);

        Assert.Equal(expected, result.Allowed);
    }

    [Theory]
    [InlineData(OtherKeyArn, true)]
    [InlineData(KeyArn, false)]
    [InlineData("arn:aws:kms:*:*:key/1234*", false)]
    public void NotResource_matches_every_resource_except_those_listed(string notResource, bool expected)
    {
        var identity = IdentityPolicy($$"""{"Effect": "Allow", "Action": "kms:*", "NotResource": "{{notResource}}"}""");

        var result = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy, [identity]);

        Assert.Equal(expected, result.Allowed);
    }

    [Fact]
    public void A_key_policy_statement_without_Resource_applies_to_its_key()
    {
        var policy = """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:Encrypt"}}""";

        var result = Evaluate(Alice, "kms:Encrypt", policy);

        Assert.True(result.Allowed);
    }

    [Fact]
    public void A_deny_with_NotPrincipal_denies_everyone_but_the_principals_listed()
    {
        var policy = KeyPolicy(
            Allow($$"""{"AWS": "{{RootA}}"}""", "kms:*"),
            $$"""{"Effect": "Deny", "NotPrincipal": {"AWS": ["{{Alice}}", "{{RootA}}"]}, "Action": "kms:PutKeyPolicy", "Resource": "*"}""");

        var alice = Evaluate(Alice, "kms:PutKeyPolicy", policy, [AllowEverything]);
        var bob = Evaluate(Bob, "kms:PutKeyPolicy", policy, [AllowEverything]);
        var carol = Evaluate(Carol, "kms:PutKeyPolicy", policy, [AllowEverything]);

        Assert.True(alice.Allowed);
        Assert.Equal(Denial.ExplicitDenyInResourcePolicy, bob.Denial);
        Assert.Equal(Denial.ExplicitDenyInResourcePolicy, carol.Denial);
    }

    [Fact]
    public void A_deny_with_NotPrincipal_naming_only_the_account_still_denies_its_users()
    {
        var policy = KeyPolicy(
            Allow($$"""{"AWS": "{{RootA}}"}""", "kms:*"),
            $$"""{"Effect": "Deny", "NotPrincipal": {"AWS": "{{RootA}}"}, "Action": "kms:Encrypt", "Resource": "*"}""");

        var root = Evaluate(RootA, "kms:Encrypt", policy);
        var alice = Evaluate(Alice, "kms:Encrypt", policy, [AllowEverything]);

        Assert.True(root.Allowed);
        Assert.Equal(Denial.ExplicitDenyInResourcePolicy, alice.Denial);
    }

    [Fact]
    public void Cross_account_use_is_allowed_when_the_key_policy_names_the_other_account_and_its_identity_policy_allows()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{RootA}}"}""", "kms:*"), Allow($$"""{"AWS": "{{RootB}}"}""", "kms:Encrypt"));

        var result = Evaluate(Carol, "kms:Encrypt", policy, [AllowEverything]);

        Assert.True(result.Allowed);
    }

    [Fact]
    public void Cross_account_use_is_denied_when_only_the_key_policy_allows()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{RootB}}"}""", "kms:Encrypt"));

        var result = Evaluate(Carol, "kms:Encrypt", policy);

        Assert.Equal(Denial.NoIdentityPolicyAllows, result.Denial);
    }

    [Fact]
    public void Cross_account_use_is_denied_when_the_key_policy_names_the_other_user_but_its_identity_policy_does_not_allow()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{Carol}}"}""", "kms:Encrypt"));

        var without = Evaluate(Carol, "kms:Encrypt", policy);
        var with = Evaluate(Carol, "kms:Encrypt", policy, [AllowEverything]);

        Assert.Equal(Denial.NoIdentityPolicyAllows, without.Denial);
        Assert.True(with.Allowed);
    }

    [Fact]
    public void Cross_account_use_is_denied_when_only_the_identity_policy_allows()
    {
        var result = Evaluate(Carol, "kms:Encrypt", DefaultKeyPolicy, [AllowEverything]);

        Assert.Equal(Denial.NoResourcePolicyAllows, result.Denial);
    }

    [Fact]
    public void The_root_of_the_other_account_needs_only_the_key_policy()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{B}}"}""", "kms:Encrypt"));

        var result = Evaluate(RootB, "kms:Encrypt", policy);

        Assert.True(result.Allowed);
    }

    [Fact]
    public void Cross_account_identity_policy_must_name_the_key_in_its_Resource()
    {
        var policy = KeyPolicy(Allow($$"""{"AWS": "{{RootB}}"}""", "kms:Encrypt"));
        var identity = IdentityPolicy($$"""{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "{{OtherKeyArn}}"}""");

        var result = Evaluate(Carol, "kms:Encrypt", policy, [identity]);

        Assert.Equal(Denial.NoIdentityPolicyAllows, result.Denial);
    }

    [Fact]
    public void An_action_governed_only_by_identity_policies_is_allowed_by_an_identity_policy()
    {
        var allowed = Evaluate(Alice, "kms:ListKeys", null, [IdentityPolicy(Allow(null, "kms:List*"))], resource: "*");
        var denied = Evaluate(Alice, "kms:ListKeys", null, [], resource: "*");
        var root = Evaluate(RootA, "kms:ListKeys", null, [], resource: "*");
        var explicitDeny = Evaluate(Alice, "kms:ListKeys", null, [AllowEverything, IdentityPolicy(Deny(null, "kms:ListKeys"))], resource: "*");

        Assert.True(allowed.Allowed);
        Assert.Equal(Denial.NoIdentityPolicyAllows, denied.Denial);
        Assert.True(root.Allowed);
        Assert.Equal(Denial.ExplicitDenyInIdentityPolicy, explicitDeny.Denial);
    }

    [Fact]
    public void A_condition_on_a_key_policy_statement_decides_whether_it_applies()
    {
        var policy = KeyPolicy("""
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:app": "billing"}}}
            """);

        var match = Evaluate(Alice, "kms:Encrypt", policy, facts: TestFacts.Of("kms:EncryptionContext:app", "billing"));
        var other = Evaluate(Alice, "kms:Encrypt", policy, facts: TestFacts.Of("kms:EncryptionContext:app", "payroll"));
        var none = Evaluate(Alice, "kms:Encrypt", policy);

        Assert.True(match.Allowed);
        Assert.Equal(Denial.NoResourcePolicyAllows, other.Denial);
        Assert.Equal(Denial.NoResourcePolicyAllows, none.Denial);
    }

    [Fact]
    public void A_deny_conditioned_on_kms_ViaService_denies_direct_calls_where_the_key_is_absent()
    {
        var policy = KeyPolicy(
            Allow($$"""{"AWS": "{{Alice}}"}""", "kms:*"),
            """{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringNotEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}""");

        var direct = Evaluate(Alice, "kms:Decrypt", policy);
        var viaS3 = Evaluate(Alice, "kms:Decrypt", policy, facts: TestFacts.Of("kms:ViaService", "s3.us-east-1.amazonaws.com"));

        Assert.Equal(Denial.ExplicitDenyInResourcePolicy, direct.Denial);
        Assert.True(viaS3.Allowed);
    }

    [Fact]
    public void A_policy_variable_lets_one_identity_policy_serve_every_user()
    {
        var identity = IdentityPolicy("""
            {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:owner": "${aws:username}"}}}
            """);

        var own = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy, [identity], facts: TestFacts.Of("aws:username", "alice").With("kms:EncryptionContext:owner", "alice"));
        var others = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy, [identity], facts: TestFacts.Of("aws:username", "alice").With("kms:EncryptionContext:owner", "bob"));

        Assert.True(own.Allowed);
        Assert.Equal(Denial.NoIdentityPolicyAllows, others.Denial);
    }

    public static TheoryData<Denial, string> Messages() => new()
    {
        { Denial.NoResourcePolicyAllows, $"User: {Alice} is not authorized to perform: kms:Encrypt on resource: {KeyArn} because no resource-based policy allows the kms:Encrypt action" },
        { Denial.NoIdentityPolicyAllows, $"User: {Alice} is not authorized to perform: kms:Encrypt on resource: {KeyArn} because no identity-based policy allows the kms:Encrypt action" },
        { Denial.ExplicitDenyInResourcePolicy, $"User: {Alice} is not authorized to perform: kms:Encrypt on resource: {KeyArn} with an explicit deny in a resource-based policy" },
        { Denial.ExplicitDenyInIdentityPolicy, $"User: {Alice} is not authorized to perform: kms:Encrypt on resource: {KeyArn} with an explicit deny in an identity-based policy" },
        { Denial.None, "" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Each_denial_has_AWS_wording(Denial denial, string expected)
    {
        var request = Request(Alice, "kms:Encrypt", KeyArn, TestFacts.None);

        var message = new AuthorizationResult(false, denial, null, "").DenialMessage(request);

        Assert.Equal(expected, message);
    }

    [Fact]
    public void The_evaluator_reaches_each_denial_with_its_message()
    {
        var keyDeny = KeyPolicy(Allow($$"""{"AWS": "{{RootA}}"}""", "kms:*"), Deny("\"*\"", "kms:Encrypt"));

        var noResource = Evaluate(Alice, "kms:Encrypt", KeyPolicy(Allow($$"""{"AWS": "{{Bob}}"}""", "kms:*")));
        var noIdentity = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy);
        var resourceDeny = Evaluate(Alice, "kms:Encrypt", keyDeny, [AllowEverything]);
        var identityDeny = Evaluate(Alice, "kms:Encrypt", DefaultKeyPolicy, [IdentityPolicy(Deny(null, "kms:*"))]);

        var request = Request(Alice, "kms:Encrypt", KeyArn, TestFacts.None);
        Assert.EndsWith("because no resource-based policy allows the kms:Encrypt action", noResource.DenialMessage(request), StringComparison.Ordinal);
        Assert.EndsWith("because no identity-based policy allows the kms:Encrypt action", noIdentity.DenialMessage(request), StringComparison.Ordinal);
        Assert.EndsWith("with an explicit deny in a resource-based policy", resourceDeny.DenialMessage(request), StringComparison.Ordinal);
        Assert.EndsWith("with an explicit deny in an identity-based policy", identityDeny.DenialMessage(request), StringComparison.Ordinal);
    }

    [Fact]
    public void The_trace_names_every_statement_considered_and_why()
    {
        var policy = KeyPolicy(
            Allow($$"""{"AWS": "{{Bob}}"}""", "kms:*"),
            Allow($$"""{"AWS": "{{RootA}}"}""", "kms:Decrypt"),
            """{"Sid": "Context", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Encrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:app": "x"}}}""");
        var trace = new List<string>();

        PolicyEvaluator.Evaluate(Request(Alice, "kms:Encrypt", KeyArn, TestFacts.None), Policy.Parse(policy, PolicyKind.KeyPolicy).Value, [], false, trace);

        Assert.Equal(
            [
                "key policy statement #1: principal does not match",
                "key policy statement #2: action kms:Encrypt does not match",
                "key policy statement \"Context\": condition StringEquals on kms:EncryptionContext:app does not hold",
            ],
            trace);
    }

    [Fact]
    public void A_Federated_principal_allows_the_web_identity_of_that_provider_by_ARN_or_by_host_and_no_one_else()
    {
        const string Provider = "arn:aws:iam::111122223333:oidc-provider/oidc.test/cluster-1";
        var byArn = KeyPolicy(Allow($$"""{"Federated": "{{Provider}}"}""", "sts:AssumeRoleWithWebIdentity"));
        var byHost = KeyPolicy(Allow("""{"Federated": "oidc.test/cluster-1"}""", "sts:AssumeRoleWithWebIdentity"));

        Assert.True(Evaluate(Provider, "sts:AssumeRoleWithWebIdentity", byArn, resource: AppRole).Allowed);
        Assert.True(Evaluate(Provider, "sts:AssumeRoleWithWebIdentity", byHost, resource: AppRole).Allowed);
        Assert.False(Evaluate("arn:aws:iam::111122223333:oidc-provider/oidc.test/cluster-2", "sts:AssumeRoleWithWebIdentity", byArn, resource: AppRole).Allowed);
        Assert.False(Evaluate("arn:aws:iam::111122223333:oidc-provider/evil.oidc.test/cluster-1", "sts:AssumeRoleWithWebIdentity", byHost, resource: AppRole).Allowed);
        Assert.False(Evaluate(Alice, "sts:AssumeRoleWithWebIdentity", byArn, resource: AppRole).Allowed);
        Assert.False(Evaluate(RootA, "sts:AssumeRoleWithWebIdentity", byHost, resource: AppRole).Allowed);
    }

    private static AuthorizationResult Evaluate(
        string principal,
        string action,
        string? keyPolicy,
        string[]? identityPolicies = null,
        bool grantAllows = false,
        string resource = KeyArn,
        TestFacts? facts = null)
    {
        var compiledKey = keyPolicy is null ? null : Parse(keyPolicy, PolicyKind.KeyPolicy);
        var compiledIdentity = (identityPolicies ?? []).Select(p => Parse(p, PolicyKind.IdentityPolicy)).ToArray();
        return PolicyEvaluator.Evaluate(Request(principal, action, resource, facts ?? TestFacts.None), compiledKey, compiledIdentity, grantAllows);
    }

    private static AuthorizationRequest Request(string principal, string action, string resource, IRequestFacts facts)
    {
        var account = principal.Split(':')[4];
        var resourceAccount = resource == "*" ? account : resource.Split(':')[4];
        return new AuthorizationRequest(principal, account, principal.EndsWith(":root", StringComparison.Ordinal), null, action, resource, resourceAccount, facts);
    }

    private static Policy Parse(string json, PolicyKind kind)
    {
        var parsed = Policy.Parse(json, kind);
        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        return parsed.Value;
    }

    internal static string KeyPolicy(params string[] statements) =>
        $$"""{"Version": "2012-10-17", "Statement": [{{string.Join(", ", statements)}}]}""";

    internal static string IdentityPolicy(params string[] statements) => KeyPolicy(statements);

    internal static string Allow(string? principal, params string[] actions) => Statement("Allow", principal, actions);

    internal static string Deny(string? principal, params string[] actions) => Statement("Deny", principal, actions);

    private static string Statement(string effect, string? principal, string[] actions)
    {
        var principalPart = principal is null ? "" : $"\"Principal\": {principal}, ";
        var actionList = string.Join(", ", actions.Select(a => $"\"{a}\""));
        return $$"""{"Effect": "{{effect}}", {{principalPart}}"Action": [{{actionList}}], "Resource": "*"}""";
    }
}
