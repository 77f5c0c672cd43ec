using Amazon.KeyManagementService.Model;
using static Citadel.EndToEnd.Tests.Policies;

namespace Citadel.EndToEnd.Tests;

/// <summary>GetKeyPolicy, PutKeyPolicy, ListKeyPolicies and CreateKey's Policy, with every check AWS makes on a new key policy.</summary>
[Collection("authorization")]
public sealed class KeyPolicyTests(AuthorizationFixture fixture)
{
    private const string DefaultPolicy = """
        {
          "Version" : "2012-10-17",
          "Id" : "key-default-1",
          "Statement" : [ {
            "Sid" : "Enable IAM User Permissions",
            "Effect" : "Allow",
            "Principal" : {
              "AWS" : "arn:aws:iam::111122223333:root"
            },
            "Action" : "kms:*",
            "Resource" : "*"
          } ]
        }
        """;

    [Fact]
    public async Task A_key_created_without_a_policy_gets_the_default_key_policy()
    {
        var key = await fixture.KeyAsync();

        var policy = await fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId });

        Assert.Equal(DefaultPolicy, policy.Policy);
        Assert.Equal("default", policy.PolicyName);
    }

    [Fact]
    public async Task GetKeyPolicy_without_PolicyName_and_with_default_return_the_same_policy()
    {
        var key = await fixture.KeyAsync();

        var named = await fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "default" });
        var unnamed = await fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.Arn });

        Assert.Equal(named.Policy, unnamed.Policy);
    }

    [Fact]
    public async Task GetKeyPolicy_with_another_policy_name_fails_with_NotFound()
    {
        var key = await fixture.KeyAsync();

        var act = () => fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId, PolicyName = "custom" });

        await Kms.FailsAsync<NotFoundException>(act, "NotFoundException", "No such policy exists");
    }

    [Fact]
    public async Task ListKeyPolicies_lists_the_one_policy_named_default()
    {
        var key = await fixture.KeyAsync();

        var listed = await fixture.Admin.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = key.KeyId });

        Assert.Equal(["default"], listed.PolicyNames);
        Assert.False(listed.Truncated);
    }

    [Fact]
    public async Task PutKeyPolicy_replaces_the_policy_and_GetKeyPolicy_returns_it_verbatim()
    {
        var key = await fixture.KeyAsync();
        var user = await fixture.UserAsync();
        var document = Document(RootStatement(), For(user.Arn, "Allow", "kms:Encrypt"));

        await fixture.Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = document });

        var policy = await fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId });
        Assert.Equal(document, policy.Policy);
        await user.Kms.EncryptAsync(key.Arn, "x"u8.ToArray());
    }

    [Fact]
    public async Task CreateKey_with_a_policy_stores_it()
    {
        var document = Document(RootStatement(), For(Kms.OtherAccount, "Allow", "kms:Decrypt"));

        var created = await fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Policy = document });

        var policy = await fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = created.KeyMetadata.KeyId });
        Assert.Equal(document, policy.Policy);
    }

    [Fact]
    public async Task PutKeyPolicy_that_would_lock_the_caller_out_fails_and_changes_nothing()
    {
        var key = await fixture.KeyAsync();
        var role = await fixture.RoleAsync();

        var act = () => fixture.Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = Document(For(role.Arn, "Allow", "kms:*")) });

        await Kms.FailsAsync<MalformedPolicyDocumentException>(act, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.");
        await AssertPolicyAsync(key, DefaultPolicy);
    }

    [Fact]
    public async Task PutKeyPolicy_by_a_user_that_would_lose_PutKeyPolicy_fails_the_lockout_check()
    {
        var key = await fixture.KeyAsync();
        var user = await fixture.UserAsync(Allowing("kms:PutKeyPolicy|kms:GetKeyPolicy"));
        var document = Document(RootStatement(), For(user.Arn, "Deny", "kms:PutKeyPolicy"));

        var act = () => user.Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = document });

        await Kms.FailsAsync<MalformedPolicyDocumentException>(act, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.");
        await AssertPolicyAsync(key, DefaultPolicy);
    }

    [Fact]
    public async Task BypassPolicyLockoutSafetyCheck_stores_a_policy_that_locks_the_caller_out()
    {
        var key = await fixture.KeyAsync();
        var role = await fixture.RoleAsync();
        var document = Document(For(role.Arn, "Allow", "kms:*"));

        await fixture.Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = document, BypassPolicyLockoutSafetyCheck = true });

        var policy = await role.Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.Arn });
        Assert.Equal(document, policy.Policy);
        await AuthorizationTests.DeniedAsync(
            () => fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId }),
            $"User: arn:aws:iam::{Kms.Account}:root is not authorized to perform: kms:GetKeyPolicy on resource: {key.Arn} because no resource-based policy allows the kms:GetKeyPolicy action");
    }

    [Fact]
    public async Task CreateKey_with_a_policy_that_would_lock_the_caller_out_fails_unless_bypassed()
    {
        var role = await fixture.RoleAsync();
        var document = Document(For(role.Arn, "Allow", "kms:*"));

        var act = () => fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Policy = document });
        var bypassed = await fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Policy = document, BypassPolicyLockoutSafetyCheck = true });

        await Kms.FailsAsync<MalformedPolicyDocumentException>(act, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.");
        var policy = await role.Kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = bypassed.KeyMetadata.Arn });
        Assert.Equal(document, policy.Policy);
    }

    [Fact]
    public async Task A_key_policy_larger_than_32_KB_fails_with_LimitExceeded_and_changes_nothing()
    {
        var key = await fixture.KeyAsync();
        var padding = new string('x', 32 * 1024);
        var document = Document(RootStatement().Replace("Enable IAM User Permissions", padding, StringComparison.Ordinal));

        var act = () => fixture.Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = document });

        await Kms.FailsAsync<LimitExceededException>(act, "LimitExceededException", "The key policy is larger than the limit of 32768 bytes.");
        await AssertPolicyAsync(key, DefaultPolicy);
    }

    [Fact]
    public async Task A_key_policy_of_exactly_32_KB_is_accepted()
    {
        var key = await fixture.KeyAsync();
        var template = Document(RootStatement().Replace("Enable IAM User Permissions", "SID", StringComparison.Ordinal));
        var document = template.Replace("SID", new string('x', (32 * 1024) - template.Length + 3), StringComparison.Ordinal);

        await fixture.Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = document });

        Assert.Equal(32 * 1024, document.Length);
        await AssertPolicyAsync(key, document);
    }

    public static TheoryData<string, string> MalformedPolicies() => new()
    {
        { "{ not json", "The policy is not valid JSON." },
        { """{"Version": "2012-10-17"}""", "The policy has no Statement." },
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Maybe", "Principal": "*", "Action": "kms:*", "Resource": "*"}}""", "Statement 1: Effect must be \"Allow\" or \"Deny\"." },
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}}""", "Statement 1 has no Principal; every statement of a key policy names one." },
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEqualz": {"kms:CallerAccount": "111122223333"}}}}""", "Statement 1: unknown condition operator \"StringEqualz\"." },
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "not-an-arn"}, "Action": "kms:*", "Resource": "*"}}""", "Policy contains a statement with one or more invalid principals." },
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/nobody-here"}, "Action": "kms:*", "Resource": "*"}}""", "Policy contains a statement with one or more invalid principals." },
        { """{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/nobody-here"}, "Action": "kms:*", "Resource": "*"}}""", "Policy contains a statement with one or more invalid principals." },
    };

    [Theory]
    [MemberData(nameof(MalformedPolicies))]
    public async Task PutKeyPolicy_with_a_malformed_policy_fails_and_changes_nothing(string document, string message)
    {
        var key = await fixture.KeyAsync();

        var act = () => fixture.Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = document });

        await Kms.FailsAsync<MalformedPolicyDocumentException>(act, "MalformedPolicyDocumentException", message);
        await AssertPolicyAsync(key, DefaultPolicy);
    }

    [Theory]
    [MemberData(nameof(MalformedPolicies))]
    public async Task CreateKey_with_a_malformed_policy_fails_and_creates_no_key(string document, string message)
    {
        var before = await KeyCountAsync();

        var act = () => fixture.Admin.CreateKeyAsync(new CreateKeyRequest { Policy = document });

        await Kms.FailsAsync<MalformedPolicyDocumentException>(act, "MalformedPolicyDocumentException", message);
        Assert.Equal(before, await KeyCountAsync());
    }

    [Fact]
    public async Task A_policy_naming_a_principal_of_an_account_this_server_does_not_host_is_accepted()
    {
        var key = await fixture.KeyAsync();
        var document = Document(RootStatement(), For("arn:aws:iam::999988887777:role/elsewhere", "Allow", "kms:Decrypt"));

        await fixture.Admin.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = document });

        await AssertPolicyAsync(key, document);
    }

    [Fact]
    public async Task PutKeyPolicy_is_denied_to_a_user_without_permission_and_changes_nothing()
    {
        var key = await fixture.KeyAsync();
        var user = await fixture.UserAsync(Allowing("kms:GetKeyPolicy"));

        var act = () => user.Kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = Document(RootStatement()) });

        await AuthorizationTests.DeniedAsync(act, $"User: {user.Arn} is not authorized to perform: kms:PutKeyPolicy on resource: {key.Arn} because no identity-based policy allows the kms:PutKeyPolicy action");
        await AssertPolicyAsync(key, DefaultPolicy);
    }

    private async Task AssertPolicyAsync(KeyMetadata key, string expected)
    {
        var policy = await fixture.Admin.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId });
        Assert.Equal(expected, policy.Policy);
    }

    private async Task<int> KeyCountAsync() =>
        (await fixture.Admin.ListKeysAsync(new ListKeysRequest { Limit = 1000 })).Keys.Count;
}
