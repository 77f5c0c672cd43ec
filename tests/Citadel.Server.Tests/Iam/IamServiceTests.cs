using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Iam;
using Citadel.Server.SigV4;

namespace Citadel.Server.Tests.Iam;

public sealed class IamServiceTests : IamStoreTestBase
{
    private const string TrustPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}""";
    private const string KmsPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}""";

    private IamService _iam = null!;
    private int _changes;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _iam = new IamService(Store, Seal, TimeProvider.System, () => Interlocked.Increment(ref _changes));
    }

    private async Task<Principal> UserAsync(string name)
    {
        var created = await _iam.CreateUserAsync(Root, name, null, null, Ct);
        var p = created.Value.User.Principal;
        return new Principal(p.AccountId, p.Arn, p.Type, p.PrincipalId);
    }

    [Fact]
    public async Task A_created_user_has_an_AIDA_id_and_an_ARN_with_its_path()
    {
        var created = await _iam.CreateUserAsync(Root, "alice", "/division/", [new Tag("team", "blue")], Ct);

        var user = created.Value.User;
        Assert.Equal("arn:aws:iam::111122223333:user/division/alice", user.Principal.Arn);
        Assert.Equal("/division/", user.Path);
        Assert.StartsWith("AIDA", user.Principal.PrincipalId, StringComparison.Ordinal);
        Assert.Equal(21, user.Principal.PrincipalId.Length);
        Assert.Equal([new Tag("team", "blue")], (await _iam.GetUserAsync(Root, "alice", Ct)).Value.Tags);
        Assert.Equal(1, _changes);
    }

    [Fact]
    public async Task Creating_a_user_whose_name_exists_in_another_case_fails_with_EntityAlreadyExists()
    {
        await _iam.CreateUserAsync(Root, "alice", null, null, Ct);

        var second = await _iam.CreateUserAsync(Root, "ALICE", "/other/", null, Ct);

        Assert.Equal(new IamError(IamErrorCode.EntityAlreadyExists, "User with name ALICE already exists."), second.Error);
        Assert.Single((await _iam.ListUsersAsync(Root, null, null, null, Ct)).Value.Items);
    }

    [Fact]
    public async Task A_user_name_outside_the_model_pattern_fails_with_AWS_validation_message()
    {
        var result = await _iam.CreateUserAsync(Root, "alice!", "no-slashes", null, Ct);

        Assert.Equal(
            new IamError(
                IamErrorCode.ValidationError,
                "2 validation errors detected: Value 'alice!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; "
                + "Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"),
            result.Error);
        Assert.Empty((await _iam.ListUsersAsync(Root, null, null, null, Ct)).Value.Items);
    }

    [Fact]
    public async Task A_missing_user_name_fails_with_Member_must_not_be_null()
    {
        var result = await _iam.CreateUserAsync(Root, null, null, null, Ct);

        Assert.Equal("1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null", result.Error?.Message);
    }

    [Fact]
    public async Task GetUser_without_a_name_returns_the_calling_user()
    {
        var alice = await UserAsync("alice");

        var result = await _iam.GetUserAsync(alice, null, Ct);

        Assert.Equal("alice", result.Value.User.Principal.Name);
        Assert.Equal(alice.Arn, result.Value.User.Principal.Arn);
    }

    [Fact]
    public async Task GetUser_without_a_name_from_a_role_fails_with_ValidationError()
    {
        var role = new Principal(Account, $"arn:aws:iam::{Account}:role/deployer", PrincipalType.AssumedRole, "AROADEPLOYER");

        var result = await _iam.GetUserAsync(role, null, Ct);

        Assert.Equal(new IamError(IamErrorCode.ValidationError, "Must specify userName when calling with non-User credentials"), result.Error);
    }

    [Fact]
    public async Task Getting_an_unknown_user_fails_with_NoSuchEntity()
    {
        var result = await _iam.GetUserAsync(Root, "nobody", Ct);

        Assert.Equal(new IamError(IamErrorCode.NoSuchEntity, "The user with name nobody cannot be found."), result.Error);
    }

    [Fact]
    public async Task Deleting_a_user_that_has_an_access_key_fails_with_DeleteConflict_and_keeps_it()
    {
        await UserAsync("alice");
        var key = await _iam.CreateAccessKeyAsync(Root, "alice", Ct);

        var result = await _iam.DeleteUserAsync(Root, "alice", Ct);

        Assert.Equal(new IamError(IamErrorCode.DeleteConflict, "Cannot delete entity, must delete access keys first."), result.Error);
        Assert.NotNull(await Store.FindAccessKeyAsync(key.Value.AccessKeyId, Ct));
    }

    [Fact]
    public async Task Deleting_a_user_that_has_an_inline_policy_fails_with_DeleteConflict()
    {
        await UserAsync("alice");
        await _iam.PutPolicyAsync(Root, PrincipalType.IamUser, "alice", "encrypt", KmsPolicy, Ct);

        var result = await _iam.DeleteUserAsync(Root, "alice", Ct);

        Assert.Equal(new IamError(IamErrorCode.DeleteConflict, "Cannot delete entity, must delete policies first."), result.Error);
    }

    [Fact]
    public async Task A_deleted_user_takes_its_tags_with_it_so_a_new_user_of_that_name_has_none()
    {
        await _iam.CreateUserAsync(Root, "alice", null, [new Tag("team", "blue")], Ct);

        var deleted = await _iam.DeleteUserAsync(Root, "alice", Ct);
        await _iam.CreateUserAsync(Root, "alice", null, null, Ct);

        Assert.True(deleted.Value);
        Assert.Empty((await _iam.GetUserAsync(Root, "alice", Ct)).Value.Tags);
    }

    [Fact]
    public async Task A_created_access_key_is_Active_and_its_secret_is_the_oneSealed_in_theStore()
    {
        await UserAsync("alice");

        var created = (await _iam.CreateAccessKeyAsync(Root, "alice", Ct)).Value;

        var stored = await Store.FindAccessKeyAsync(created.AccessKeyId, Ct);
        Assert.Matches("^AKIA[A-Z2-7]{16}$", created.AccessKeyId);
        Assert.Equal(40, created.SecretAccessKey.Length);
        Assert.Equal(AccessKeyStatus.Active, created.Status);
        Assert.Equal(created.SecretAccessKey, System.Text.Encoding.UTF8.GetString(SecretSeal.Unseal(Seal, created.AccessKeyId, stored!.SealedSecret)));
        Assert.DoesNotContain(created.SecretAccessKey, created.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_third_access_key_fails_with_LimitExceeded()
    {
        await UserAsync("alice");
        await _iam.CreateAccessKeyAsync(Root, "alice", Ct);
        await _iam.CreateAccessKeyAsync(Root, "alice", Ct);

        var third = await _iam.CreateAccessKeyAsync(Root, "alice", Ct);

        Assert.Equal(new IamError(IamErrorCode.LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2"), third.Error);
        Assert.Equal(2, (await _iam.ListAccessKeysAsync(Root, "alice", null, null, Ct)).Value.Keys.Items.Count);
    }

    [Fact]
    public async Task Concurrent_access_key_creations_never_pass_the_limit()
    {
        await UserAsync("alice");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _iam.CreateAccessKeyAsync(Root, "alice", Ct))));

        Assert.Equal(2, results.Count(r => r.IsSuccess));
        Assert.Equal(2, (await Store.ListAccessKeysAsync(PrincipalRecordArn("alice"), Ct)).Count);
    }

    [Fact]
    public async Task An_inactive_access_key_is_not_found_for_authentication_until_it_is_active_again()
    {
        await UserAsync("alice");
        var key = (await _iam.CreateAccessKeyAsync(Root, "alice", Ct)).Value;

        var deactivated = await _iam.UpdateAccessKeyAsync(Root, "alice", key.AccessKeyId, "Inactive", Ct);
        var whileInactive = await Store.FindAccessKeyAsync(key.AccessKeyId, Ct);
        var listed = (await _iam.ListAccessKeysAsync(Root, "alice", null, null, Ct)).Value.Keys.Items.Single();
        await _iam.UpdateAccessKeyAsync(Root, "alice", key.AccessKeyId, "Active", Ct);

        Assert.True(deactivated.Value);
        Assert.Null(whileInactive);
        Assert.Equal(AccessKeyStatus.Inactive, listed.Status);
        Assert.NotNull(await Store.FindAccessKeyAsync(key.AccessKeyId, Ct));
    }

    [Fact]
    public async Task A_user_cannot_update_or_delete_another_users_key_by_naming_itself()
    {
        var alice = await UserAsync("alice");
        await UserAsync("bob");
        var bobs = (await _iam.CreateAccessKeyAsync(Root, "bob", Ct)).Value;

        var update = await _iam.UpdateAccessKeyAsync(alice, null, bobs.AccessKeyId, "Inactive", Ct);
        var delete = await _iam.DeleteAccessKeyAsync(alice, null, bobs.AccessKeyId, Ct);

        Assert.Equal(new IamError(IamErrorCode.NoSuchEntity, $"The Access Key with id {bobs.AccessKeyId} cannot be found."), update.Error);
        Assert.Equal(update.Error, delete.Error);
        Assert.NotNull(await Store.FindAccessKeyAsync(bobs.AccessKeyId, Ct));
    }

    [Fact]
    public async Task Status_Expired_is_refused_with_InvalidInput()
    {
        await UserAsync("alice");
        var key = (await _iam.CreateAccessKeyAsync(Root, "alice", Ct)).Value;

        var result = await _iam.UpdateAccessKeyAsync(Root, "alice", key.AccessKeyId, "Expired", Ct);

        Assert.Equal(IamErrorCode.InvalidInput, result.Error?.Code);
    }

    [Fact]
    public async Task A_malformed_policy_fails_with_MalformedPolicyDocument_and_attaches_nothing()
    {
        await UserAsync("alice");

        var result = await _iam.PutPolicyAsync(Root, PrincipalType.IamUser, "alice", "broken", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*"}]}""", Ct);

        Assert.Equal(new IamError(IamErrorCode.MalformedPolicyDocument, "Statement 1 has no Resource."), result.Error);
        Assert.Empty((await _iam.ListPoliciesAsync(Root, PrincipalType.IamUser, "alice", null, null, Ct)).Value.Items);
    }

    [Fact]
    public async Task Inline_policies_of_a_user_over_2048_characters_together_fail_with_LimitExceeded()
    {
        await UserAsync("alice");
        var large = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"arn:aws:kms:us-east-1:111122223333:key/""" + new string('a', 1100) + "\"}]}";
        await _iam.PutPolicyAsync(Root, PrincipalType.IamUser, "alice", "first", large, Ct);

        var second = await _iam.PutPolicyAsync(Root, PrincipalType.IamUser, "alice", "second", large, Ct);
        var replaced = await _iam.PutPolicyAsync(Root, PrincipalType.IamUser, "alice", "first", large, Ct);

        Assert.Equal(new IamError(IamErrorCode.LimitExceeded, "Maximum policy size of 2048 bytes exceeded for user alice"), second.Error);
        Assert.True(replaced.Value);
    }

    [Fact]
    public async Task A_put_policy_is_read_back_verbatim_and_deleted_by_name()
    {
        await UserAsync("alice");
        await _iam.PutPolicyAsync(Root, PrincipalType.IamUser, "alice", "encrypt", KmsPolicy, Ct);

        var read = await _iam.GetPolicyAsync(Root, PrincipalType.IamUser, "alice", "encrypt", Ct);
        var deleted = await _iam.DeletePolicyAsync(Root, PrincipalType.IamUser, "alice", "encrypt", Ct);
        var again = await _iam.GetPolicyAsync(Root, PrincipalType.IamUser, "alice", "encrypt", Ct);

        Assert.Equal(KmsPolicy, read.Value.Document);
        Assert.True(deleted.Value);
        Assert.Equal(new IamError(IamErrorCode.NoSuchEntity, "The user policy with name encrypt cannot be found."), again.Error);
    }

    [Fact]
    public async Task A_role_keeps_its_trust_policy_description_and_maximum_session_duration()
    {
        var created = await _iam.CreateRoleAsync(Root, "deployer", TrustPolicy, "/ci/", "deploys", 7200, null, Ct);

        var role = (await _iam.GetRoleAsync(Root, "deployer", Ct)).Value.Role;

        Assert.True(created.IsSuccess);
        Assert.Equal("arn:aws:iam::111122223333:role/ci/deployer", role.Principal.Arn);
        Assert.StartsWith("AROA", role.Principal.PrincipalId, StringComparison.Ordinal);
        Assert.Equal((TrustPolicy, "deploys", 7200), (role.AssumeRolePolicyDocument, role.Description, role.MaxSessionDuration));
    }

    [Fact]
    public async Task UpdateRole_changes_only_what_it_names()
    {
        await _iam.CreateRoleAsync(Root, "deployer", TrustPolicy, null, "deploys", null, null, Ct);

        await _iam.UpdateRoleAsync(Root, "deployer", null, 43200, Ct);

        var role = (await _iam.GetRoleAsync(Root, "deployer", Ct)).Value.Role;
        Assert.Equal(("deploys", 43200), (role.Description, role.MaxSessionDuration));
    }

    [Fact]
    public async Task A_maximum_session_duration_over_12_hours_fails_with_ValidationError()
    {
        await _iam.CreateRoleAsync(Root, "deployer", TrustPolicy, null, null, null, null, Ct);

        var result = await _iam.UpdateRoleAsync(Root, "deployer", null, 43201, Ct);

        Assert.Equal("1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", result.Error?.Message);
        Assert.Equal(3600, (await _iam.GetRoleAsync(Root, "deployer", Ct)).Value.Role.MaxSessionDuration);
    }

    [Theory]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}""", "Has prohibited field Resource.")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}""", "Statement 1 has no Principal; every statement of a key policy names one.")]
    [InlineData("not json", "The policy is not valid JSON.")]
    public async Task A_malformed_trust_policy_fails_with_MalformedPolicyDocument_and_changes_nothing(string document, string message)
    {
        await _iam.CreateRoleAsync(Root, "deployer", TrustPolicy, null, null, null, null, Ct);

        var created = await _iam.CreateRoleAsync(Root, "other", document, null, null, null, null, Ct);
        var updated = await _iam.UpdateAssumeRolePolicyAsync(Root, "deployer", document, Ct);

        Assert.Equal(new IamError(IamErrorCode.MalformedPolicyDocument, message), created.Error);
        Assert.Equal(created.Error, updated.Error);
        Assert.Equal(TrustPolicy, (await _iam.GetRoleAsync(Root, "deployer", Ct)).Value.Role.AssumeRolePolicyDocument);
        Assert.Equal(IamErrorCode.NoSuchEntity, (await _iam.GetRoleAsync(Root, "other", Ct)).Error?.Code);
    }

    [Fact]
    public async Task Deleting_a_role_with_an_inline_policy_fails_with_DeleteConflict_until_the_policy_is_deleted()
    {
        await _iam.CreateRoleAsync(Root, "deployer", TrustPolicy, null, null, null, null, Ct);
        await _iam.PutPolicyAsync(Root, PrincipalType.AssumedRole, "deployer", "encrypt", KmsPolicy, Ct);

        var refused = await _iam.DeleteRoleAsync(Root, "deployer", Ct);
        await _iam.DeletePolicyAsync(Root, PrincipalType.AssumedRole, "deployer", "encrypt", Ct);
        var deleted = await _iam.DeleteRoleAsync(Root, "deployer", Ct);

        Assert.Equal(IamErrorCode.DeleteConflict, refused.Error?.Code);
        Assert.True(deleted.Value);
        Assert.Null(await Store.GetPrincipalAsync("arn:aws:iam::111122223333:role/deployer", Ct));
    }

    [Fact]
    public async Task Users_are_listed_in_pages_by_Marker_and_MaxItems()
    {
        foreach (var name in new[] { "carol", "alice", "bob" })
        {
            await UserAsync(name);
        }

        var first = (await _iam.ListUsersAsync(Root, null, null, 2, Ct)).Value;
        var second = (await _iam.ListUsersAsync(Root, null, first.Marker, 2, Ct)).Value;

        Assert.Equal(["alice", "bob"], first.Items.Select(u => u.Principal.Name));
        Assert.True(first.IsTruncated);
        Assert.Equal(["carol"], second.Items.Select(u => u.Principal.Name));
        Assert.False(second.IsTruncated);
        Assert.Null(second.Marker);
    }

    [Fact]
    public async Task Users_are_filtered_by_PathPrefix()
    {
        await _iam.CreateUserAsync(Root, "alice", "/eng/", null, Ct);
        await _iam.CreateUserAsync(Root, "bob", null, null, Ct);

        var listed = (await _iam.ListUsersAsync(Root, "/eng", null, null, Ct)).Value;

        Assert.Equal(["alice"], listed.Items.Select(u => u.Principal.Name));
    }

    [Theory]
    [InlineData("!!!", "Invalid Marker.")]
    [InlineData("", "2 validation errors detected: Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+")]
    public async Task A_forged_marker_fails_with_ValidationError(string marker, string message)
    {
        var result = await _iam.ListUsersAsync(Root, null, marker, null, Ct);

        Assert.Equal(new IamError(IamErrorCode.ValidationError, message), result.Error);
    }

    [Fact]
    public async Task Tags_are_added_overwritten_and_removed()
    {
        await UserAsync("alice");

        await _iam.TagAsync(Root, PrincipalType.IamUser, "alice", [new Tag("a", "1"), new Tag("b", "2")], Ct);
        await _iam.TagAsync(Root, PrincipalType.IamUser, "alice", [new Tag("a", "3")], Ct);
        await _iam.UntagAsync(Root, PrincipalType.IamUser, "alice", ["b", "absent"], Ct);

        Assert.Equal([new Tag("a", "3")], (await _iam.ListTagsAsync(Root, PrincipalType.IamUser, "alice", null, null, Ct)).Value.Items);
    }

    [Fact]
    public async Task A_51st_tag_fails_with_LimitExceeded_and_adds_nothing()
    {
        await _iam.CreateRoleAsync(Root, "deployer", TrustPolicy, null, null, null, Enumerable.Range(0, 50).Select(i => new Tag($"k{i}", "v")).ToList(), Ct);

        var result = await _iam.TagAsync(Root, PrincipalType.AssumedRole, "deployer", [new Tag("one-more", "v")], Ct);

        Assert.Equal(new IamError(IamErrorCode.LimitExceeded, "The number of tags has reached the maximum limit of 50."), result.Error);
        Assert.Equal(50, (await Store.ListPrincipalTagsAsync("arn:aws:iam::111122223333:role/deployer", Ct)).Count);
    }

    [Fact]
    public async Task Two_tags_with_one_key_in_a_request_fail_with_InvalidInput()
    {
        var result = await _iam.CreateUserAsync(Root, "alice", null, [new Tag("a", "1"), new Tag("a", "2")], Ct);

        Assert.Equal(IamErrorCode.InvalidInput, result.Error?.Code);
        Assert.Equal(IamErrorCode.NoSuchEntity, (await _iam.GetUserAsync(Root, "alice", Ct)).Error?.Code);
    }

    private static string PrincipalRecordArn(string user) => $"arn:aws:iam::{Account}:user/{user}";
}
