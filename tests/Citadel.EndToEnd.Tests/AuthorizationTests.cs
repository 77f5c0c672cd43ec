using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using static Citadel.EndToEnd.Tests.Policies;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Key policies, identity policies and their conditions, through the AWS SDK with principals of two
/// accounts (KMS developer guide, "Key policies", "Determining access to AWS KMS keys").
/// </summary>
[Collection("authorization")]
public sealed class AuthorizationTests(AuthorizationFixture fixture)
{
    private static readonly byte[] Plaintext = "secret"u8.ToArray();

    [Fact]
    public async Task The_account_root_may_use_a_key_with_the_default_key_policy()
    {
        var key = await fixture.KeyAsync();

        var encrypted = await fixture.Admin.EncryptAsync(key.KeyId, Plaintext);

        Assert.Equal(key.Arn, encrypted.KeyId);
    }

    [Fact]
    public async Task A_user_without_identity_policies_is_denied_by_the_default_key_policy()
    {
        var key = await fixture.KeyAsync();
        var user = await fixture.UserAsync();

        var act = () => user.Kms.EncryptAsync(key.Arn, Plaintext);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task The_default_key_policy_delegates_to_the_identity_policy_of_a_user()
    {
        var key = await fixture.KeyAsync();
        var user = await fixture.UserAsync(Allowing("kms:Encrypt|kms:Decrypt"));

        var encrypted = await user.Kms.EncryptAsync(key.KeyId, Plaintext);
        var decrypted = await user.Kms.DecryptAsync(encrypted.CiphertextBlob);

        Assert.Equal(Plaintext, decrypted.Plaintext.ToArray());
        await DeniedAsync(
            () => user.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }),
            $"User: {user.Arn} is not authorized to perform: kms:DescribeKey on resource: {key.Arn} because no identity-based policy allows the kms:DescribeKey action");
    }

    [Fact]
    public async Task An_identity_policy_limited_to_one_key_does_not_reach_another()
    {
        var key = await fixture.KeyAsync();
        var other = await fixture.KeyAsync();
        var user = await fixture.UserAsync(Document(Identity("Allow", "kms:Encrypt", key.Arn)));

        await user.Kms.EncryptAsync(key.KeyId, Plaintext);
        var act = () => user.Kms.EncryptAsync(other.KeyId, Plaintext);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {other.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task A_key_policy_naming_a_role_lets_it_use_the_key_without_identity_policies()
    {
        var role = await fixture.RoleAsync();
        var user = await fixture.UserAsync(Allowing("kms:*"));
        var key = await fixture.KeyAsync(Document(For(role.Arn, "Allow", "kms:Encrypt|kms:Decrypt")));

        var encrypted = await role.Kms.EncryptAsync(key.KeyId, Plaintext);
        var act = () => user.Kms.EncryptAsync(key.Arn, Plaintext);

        Assert.Equal(key.Arn, encrypted.KeyId);
        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no resource-based policy allows the kms:Encrypt action");
        await DeniedAsync(
            () => role.Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId }),
            $"User: {role.Arn} is not authorized to perform: kms:DisableKey on resource: {key.Arn} because no resource-based policy allows the kms:DisableKey action");
    }

    [Fact]
    public async Task An_explicit_deny_in_the_key_policy_overrides_an_allow_in_an_identity_policy()
    {
        var user = await fixture.UserAsync(Allowing("kms:*"));
        var key = await fixture.KeyAsync(Document(RootStatement(), For(user.Arn, "Deny", "kms:Encrypt")));

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in a resource-based policy");
        await user.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
    }

    [Fact]
    public async Task An_explicit_deny_in_an_identity_policy_overrides_an_allow_in_the_key_policy()
    {
        var user = await fixture.UserAsync(Document(Identity("Deny", "kms:Encrypt")));
        var key = await fixture.KeyAsync(Document(RootStatement(), For(user.Arn, "Allow", "kms:*")));

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in an identity-based policy");
        await user.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
    }

    // The key policies below also delegate to the account, so when the statement naming the user does not
    // apply, the denial says no identity-based policy allows (the user has none).
    [Theory]
    [InlineData("app=billing", true)]
    [InlineData("app=billing,env=prod", true)]
    [InlineData("app=payroll", false)]
    [InlineData("App=billing", true)]
    [InlineData("", false)]
    public async Task A_key_policy_condition_on_kms_EncryptionContext_decides_by_the_request_context(string context, bool allowed)
    {
        var user = await fixture.UserAsync();
        var key = await fixture.KeyAsync(Document(
            RootStatement(),
            For(user.Arn, "Allow", "kms:Encrypt", """{"StringEquals": {"kms:EncryptionContext:app": "billing"}}""")));

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext, ParseContext(context));

        await OutcomeAsync(act, allowed, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Theory]
    [InlineData("app=a", true)]
    [InlineData("app=a,env=b", true)]
    [InlineData("app=a,owner=c", false)]
    [InlineData("", false)]
    public async Task An_identity_policy_condition_on_kms_EncryptionContextKeys_limits_the_context_keys(string context, bool allowed)
    {
        var condition = """{"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["app", "env"]}, "Null": {"kms:EncryptionContextKeys": "false"}}""";
        var user = await fixture.UserAsync(Allowing("kms:Encrypt", condition));
        var key = await fixture.KeyAsync();

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext, ParseContext(context));

        await OutcomeAsync(act, allowed, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task A_key_policy_condition_on_kms_CallerAccount_admits_only_that_account()
    {
        var key = await fixture.KeyAsync(Document(
            RootStatement(),
            For("*", "Allow", "kms:Encrypt", $$$"""{"StringEquals": {"kms:CallerAccount": "{{{Kms.Account}}}"}}""")));
        var user = await fixture.UserAsync();
        var stranger = await fixture.OtherUserAsync(Allowing("kms:Encrypt"));

        var encrypted = await user.Kms.EncryptAsync(key.KeyId, Plaintext);
        var act = () => stranger.Kms.EncryptAsync(key.Arn, Plaintext);

        Assert.Equal(key.Arn, encrypted.KeyId);
        await DeniedAsync(act, $"User: {stranger.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no resource-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task An_allow_conditioned_on_kms_ViaService_does_not_allow_direct_calls()
    {
        var user = await fixture.UserAsync();
        var key = await fixture.KeyAsync(Document(
            RootStatement(),
            For(user.Arn, "Allow", "kms:Encrypt", """{"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}""")));

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task A_deny_unless_kms_ViaService_denies_direct_calls_explicitly()
    {
        var user = await fixture.UserAsync(Allowing("kms:*"));
        var key = await fixture.KeyAsync(Document(
            RootStatement(),
            For("*", "Deny", "kms:Decrypt|kms:Encrypt", """{"StringNotEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "ebs.us-east-1.amazonaws.com"]}}""")));

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} with an explicit deny in a resource-based policy");
        await user.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
    }

    [Theory]
    [InlineData("blue", true)]
    [InlineData("red", false)]
    [InlineData(null, false)]
    public async Task An_identity_policy_condition_on_aws_ResourceTag_follows_the_key_tags(string? team, bool allowed)
    {
        var user = await fixture.UserAsync(Allowing("kms:Encrypt", """{"StringEquals": {"aws:ResourceTag/team": "blue"}}"""));
        var key = await fixture.KeyAsync(tags: team is null ? null : Kms.Tags("team", team));

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await OutcomeAsync(act, allowed, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task A_key_policy_condition_on_aws_ResourceTag_follows_tag_changes()
    {
        var user = await fixture.UserAsync();
        var key = await fixture.KeyAsync(
            Document(RootStatement(), For(user.Arn, "Allow", "kms:Encrypt", """{"StringEquals": {"aws:ResourceTag/team": "blue"}}""")),
            Kms.Tags("team", "blue"));
        await user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await fixture.Admin.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("team", "red") });
        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Theory]
    [InlineData("blue", true)]
    [InlineData("red", false)]
    public async Task An_identity_policy_condition_on_aws_RequestTag_governs_CreateKey(string team, bool allowed)
    {
        var user = await fixture.UserAsync(Allowing("kms:CreateKey", """{"StringEquals": {"aws:RequestTag/team": "blue"}}"""));

        var act = () => user.Kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("team", team) });

        await OutcomeAsync(act, allowed, $"User: {user.Arn} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action");
    }

    [Theory]
    [InlineData("blue", true)]
    [InlineData("red", false)]
    public async Task An_identity_policy_condition_on_aws_RequestTag_governs_TagResource(string team, bool allowed)
    {
        var user = await fixture.UserAsync(Allowing("kms:TagResource", """{"StringEquals": {"aws:RequestTag/team": "blue"}, "ForAllValues:StringEquals": {"aws:TagKeys": "team"}}"""));
        var key = await fixture.KeyAsync();

        var act = () => user.Kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Kms.Tags("team", team) });

        await OutcomeAsync(act, allowed, $"User: {user.Arn} is not authorized to perform: kms:TagResource on resource: {key.Arn} because no identity-based policy allows the kms:TagResource action");
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task An_identity_policy_condition_on_kms_ResourceAliases_follows_the_key_aliases(bool aliased, bool allowed)
    {
        var user = await fixture.UserAsync(Allowing("kms:Encrypt", """{"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/finance-*"}}"""));
        var key = await fixture.KeyAsync();
        if (aliased)
        {
            await fixture.Admin.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName("finance"), TargetKeyId = key.KeyId });
        }

        var act = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        await OutcomeAsync(act, allowed, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task A_key_policy_condition_on_kms_ResourceAliases_follows_the_key_aliases()
    {
        var user = await fixture.UserAsync();
        var key = await fixture.KeyAsync(Document(
            RootStatement(),
            For(user.Arn, "Allow", "kms:Encrypt", """{"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/finance-*"}}""")));
        var denied = $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action";
        await DeniedAsync(() => user.Kms.EncryptAsync(key.KeyId, Plaintext), denied);

        await fixture.Admin.CreateAliasAsync(new CreateAliasRequest { AliasName = Kms.NewAliasName("finance"), TargetKeyId = key.KeyId });
        var encrypted = await user.Kms.EncryptAsync(key.KeyId, Plaintext);

        Assert.Equal(key.Arn, encrypted.KeyId);
    }

    [Fact]
    public async Task A_condition_on_kms_RequestAlias_allows_only_requests_that_name_the_key_by_that_alias()
    {
        var alias = Kms.NewAliasName("app");
        var user = await fixture.UserAsync(Allowing("kms:Encrypt", $$$"""{"StringEquals": {"kms:RequestAlias": "{{{alias}}}"}}"""));
        var key = await fixture.KeyAsync();
        await fixture.Admin.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var byAlias = await user.Kms.EncryptAsync(alias, Plaintext);
        var byAliasArn = await user.Kms.EncryptAsync(Kms.AliasArn(alias), Plaintext);
        var byId = () => user.Kms.EncryptAsync(key.KeyId, Plaintext);

        Assert.Equal(key.Arn, byAlias.KeyId);
        Assert.Equal(key.Arn, byAliasArn.KeyId);
        await DeniedAsync(byId, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task A_key_policy_condition_on_kms_RequestAlias_allows_only_requests_through_the_alias()
    {
        var alias = Kms.NewAliasName("app");
        var user = await fixture.UserAsync();
        var key = await fixture.KeyAsync(Document(
            RootStatement(),
            For(user.Arn, "Allow", "kms:Encrypt", """{"StringLike": {"kms:RequestAlias": "alias/app-*"}}""")));
        await fixture.Admin.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var byAlias = await user.Kms.EncryptAsync(alias, Plaintext);
        var byArn = () => user.Kms.EncryptAsync(key.Arn, Plaintext);

        Assert.Equal(key.Arn, byAlias.KeyId);
        await DeniedAsync(byArn, $"User: {user.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task Cross_account_Encrypt_is_allowed_when_the_key_policy_and_the_callers_identity_policy_both_allow()
    {
        var key = await fixture.KeyAsync(Document(RootStatement(), For($"arn:aws:iam::{Kms.OtherAccount}:root", "Allow", "kms:Encrypt|kms:Decrypt")));
        var stranger = await fixture.OtherUserAsync(Document(Identity("Allow", "kms:Encrypt|kms:Decrypt", key.Arn)));

        var encrypted = await stranger.Kms.EncryptAsync(key.Arn, Plaintext);
        var decrypted = await stranger.Kms.DecryptAsync(encrypted.CiphertextBlob);

        Assert.Equal(key.Arn, encrypted.KeyId);
        Assert.Equal(Plaintext, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task Cross_account_Encrypt_is_denied_when_only_the_key_policy_allows()
    {
        var key = await fixture.KeyAsync(Document(RootStatement(), For($"arn:aws:iam::{Kms.OtherAccount}:root", "Allow", "kms:Encrypt")));
        var stranger = await fixture.OtherUserAsync();

        var act = () => stranger.Kms.EncryptAsync(key.Arn, Plaintext);

        await DeniedAsync(act, $"User: {stranger.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no identity-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task Cross_account_Encrypt_is_denied_when_only_the_identity_policy_allows()
    {
        var key = await fixture.KeyAsync();
        var stranger = await fixture.OtherUserAsync(Allowing("kms:*"));

        var act = () => stranger.Kms.EncryptAsync(key.Arn, Plaintext);

        await DeniedAsync(act, $"User: {stranger.Arn} is not authorized to perform: kms:Encrypt on resource: {key.Arn} because no resource-based policy allows the kms:Encrypt action");
    }

    [Fact]
    public async Task Cross_account_Encrypt_by_the_other_account_root_needs_only_the_key_policy()
    {
        var key = await fixture.KeyAsync(Document(RootStatement(), For(Kms.OtherAccount, "Allow", "kms:Encrypt")));

        var encrypted = await fixture.OtherRoot.Kms.EncryptAsync(key.Arn, Plaintext);
        var act = () => fixture.OtherRoot.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.Arn });

        Assert.Equal(key.Arn, encrypted.KeyId);
        await DeniedAsync(act, $"User: {fixture.OtherRoot.Arn} is not authorized to perform: kms:DescribeKey on resource: {key.Arn} because no resource-based policy allows the kms:DescribeKey action");
    }

    public static TheoryData<string, string> IdentityOnlyActions() => new()
    {
        { "ListKeys", "kms:ListKeys" },
        { "CreateKey", "kms:CreateKey" },
        { "ListAliases", "kms:ListAliases" },
        { "GenerateRandom", "kms:GenerateRandom" },
    };

    [Theory]
    [MemberData(nameof(IdentityOnlyActions))]
    public async Task An_action_without_a_key_is_denied_to_a_user_without_an_identity_policy_for_it(string operation, string action)
    {
        var user = await fixture.UserAsync(Allowing("kms:Encrypt"));

        var act = Call(user.Kms, operation);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: {action} on resource: * because no identity-based policy allows the {action} action");
    }

    [Theory]
    [MemberData(nameof(IdentityOnlyActions))]
    public async Task An_action_without_a_key_is_allowed_by_an_identity_policy(string operation, string action)
    {
        var user = await fixture.UserAsync(Allowing(action));

        await Call(user.Kms, operation)();
    }

    [Theory]
    [MemberData(nameof(IdentityOnlyActions))]
    public async Task An_action_without_a_key_is_denied_by_an_explicit_deny(string operation, string action)
    {
        var user = await fixture.UserAsync(Allowing("kms:*"), Document(Identity("Deny", action)));

        var act = Call(user.Kms, operation);

        await DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: {action} on resource: * with an explicit deny in an identity-based policy");
    }

    [Fact]
    public async Task A_deleted_access_key_stops_working_within_about_a_second()
    {
        var user = await fixture.UserAsync(Allowing("kms:ListKeys"));
        await user.Kms.ListKeysAsync(new ListKeysRequest());

        var deleted = await fixture.Identities.DeleteAccessKeyAsync(user.AccessKeyId, CancellationToken.None);

        Assert.True(deleted.IsSuccess);
        await Kms.EventuallyAsync(
            async () =>
            {
                try
                {
                    await user.Kms.ListKeysAsync(new ListKeysRequest());
                    return false;
                }
                catch (AmazonKeyManagementServiceException e) when (e.ErrorCode == "UnrecognizedClientException")
                {
                    Assert.Equal("The security token included in the request is invalid.", e.Message);
                    return true;
                }
            },
            "the deleted access key is refused",
            TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_detached_identity_policy_stops_allowing_within_about_a_second()
    {
        var user = await fixture.UserAsync(Allowing("kms:ListKeys"));
        await user.Kms.ListKeysAsync(new ListKeysRequest());

        await fixture.Identities.DetachPolicyAsync(user.Arn, "policy1", CancellationToken.None);

        await Kms.EventuallyAsync(
            async () =>
            {
                try
                {
                    await user.Kms.ListKeysAsync(new ListKeysRequest());
                    return false;
                }
                catch (AmazonKeyManagementServiceException e) when (e.ErrorCode == "AccessDeniedException")
                {
                    return true;
                }
            },
            "the detached policy no longer allows",
            TimeSpan.FromSeconds(3));
    }

    internal static Func<Task> Call(IAmazonKeyManagementService kms, string operation) => operation switch
    {
        "ListKeys" => () => kms.ListKeysAsync(new ListKeysRequest()),
        "CreateKey" => () => kms.CreateKeyAsync(new CreateKeyRequest()),
        "ListAliases" => () => kms.ListAliasesAsync(new ListAliasesRequest()),
        "GenerateRandom" => () => kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 16 }),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    internal static Task DeniedAsync(Func<Task> act, string message) =>
        Kms.FailsAsync<AmazonKeyManagementServiceException>(act, "AccessDeniedException", message);

    internal static async Task OutcomeAsync(Func<Task> act, bool allowed, string deniedMessage)
    {
        if (allowed)
        {
            await act();
        }
        else
        {
            await DeniedAsync(act, deniedMessage);
        }
    }

    private static Dictionary<string, string>? ParseContext(string pairs) =>
        pairs.Length == 0 ? null : pairs.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
