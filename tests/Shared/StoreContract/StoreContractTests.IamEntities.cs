using Citadel.Core.Identity;
using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The store contract for the IAM API's additions: paths and role attributes, names unique ignoring case, tags, access key status and limits.</summary>
public abstract partial class StoreContractTests
{
    private static IamEntity Entity(string name, PrincipalType type = PrincipalType.IamUser, string path = "/") =>
        new(new PrincipalRecord(IamEntity.Arn(Account, type, path, name), Account, type, name, "AIDA" + name.ToUpperInvariant(), Now), path, null, null, IamEntity.DefaultMaxSessionDuration);

    [Fact]
    public async Task An_IAM_entity_is_created_with_its_attributes_and_tags_and_found_by_name_in_any_case()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        var role = Entity("Deployer", PrincipalType.AssumedRole, "/ci/") with { Description = "deploys", AssumeRolePolicyDocument = "{}", MaxSessionDuration = 7200 };

        var outcome = await Store.CreateIamEntityAsync(role, [new Tag("team", "blue")], Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(role, await Store.FindIamEntityAsync(Account, PrincipalType.AssumedRole, "deployer", Ct));
        Assert.Null(await Store.FindIamEntityAsync(Account, PrincipalType.IamUser, "deployer", Ct));
        Assert.Equal([new Tag("team", "blue")], await Store.ListPrincipalTagsAsync(role.Principal.Arn, Ct));
    }

    [Fact]
    public async Task An_IAM_entity_whose_name_is_taken_in_another_case_or_path_fails_with_AlreadyExists()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreateIamEntityAsync(Entity("alice"), [], Ct);

        var outcome = await Store.CreateIamEntityAsync(Entity("ALICE", path: "/other/"), [new Tag("a", "b")], Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Single(await Store.ListIamEntitiesAsync(Account, PrincipalType.IamUser, Ct));
        Assert.Empty(await Store.ListPrincipalTagsAsync(IamEntity.Arn(Account, PrincipalType.IamUser, "/other/", "ALICE"), Ct));
    }

    [Fact]
    public async Task A_principal_created_without_IAM_attributes_reads_with_the_defaults()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);

        var entity = await Store.FindIamEntityAsync(Account, PrincipalType.IamUser, "alice", Ct);

        Assert.Equal(new IamEntity(User("alice"), "/", null, null, 3600), entity);
    }

    [Fact]
    public async Task Deleting_a_principal_removes_its_IAM_attributes_and_tags()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreateIamEntityAsync(Entity("alice", path: "/eng/"), [new Tag("a", "b")], Ct);
        var arn = IamEntity.Arn(Account, PrincipalType.IamUser, "/eng/", "alice");

        await Store.DeletePrincipalAsync(arn, Ct);
        await Store.CreatePrincipalAsync(new PrincipalRecord(arn, Account, PrincipalType.IamUser, "alice", "AIDANEW", Now), Ct);

        Assert.Empty(await Store.ListPrincipalTagsAsync(arn, Ct));
        Assert.Equal("/", (await Store.FindIamEntityAsync(Account, PrincipalType.IamUser, "alice", Ct))?.Path);
    }

    [Fact]
    public async Task Tag_changes_that_pass_the_limit_fail_with_LimitExceeded_and_change_nothing()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreateIamEntityAsync(Entity("alice"), [new Tag("a", "1"), new Tag("b", "2")], Ct);
        var arn = IamEntity.Arn(Account, PrincipalType.IamUser, "/", "alice");

        var over = await Store.ChangePrincipalTagsAsync(arn, [new Tag("c", "3")], [], 2, Ct);
        var swap = await Store.ChangePrincipalTagsAsync(arn, [new Tag("c", "3")], ["a"], 2, Ct);

        Assert.Equal(StoreOutcome.LimitExceeded, over);
        Assert.Equal(StoreOutcome.Success, swap);
        Assert.Equal([new Tag("b", "2"), new Tag("c", "3")], await Store.ListPrincipalTagsAsync(arn, Ct));
        Assert.Equal(StoreOutcome.NotFound, await Store.ChangePrincipalTagsAsync(IamEntity.Arn(Account, PrincipalType.IamUser, "/", "nobody"), [new Tag("a", "1")], [], 2, Ct));
    }

    [Fact]
    public async Task Access_keys_are_created_up_to_the_limit_and_an_inactive_one_authenticates_nothing()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);

        var first = await Store.CreateAccessKeyAsync(AccessKey("AKIDFIRST"), 2, Ct);
        var second = await Store.CreateAccessKeyAsync(AccessKey("AKIDSECOND") with { CreatedAt = Now.AddSeconds(1) }, 2, Ct);
        var third = await Store.CreateAccessKeyAsync(AccessKey("AKIDTHIRD"), 2, Ct);
        var inactive = await Store.SetAccessKeyStatusAsync(Alice, "AKIDFIRST", AccessKeyStatus.Inactive, Ct);

        Assert.Equal([StoreOutcome.Success, StoreOutcome.Success, StoreOutcome.LimitExceeded, StoreOutcome.Success], [first, second, third, inactive]);
        Assert.Null(await Store.FindAccessKeyAsync("AKIDFIRST", Ct));
        Assert.NotNull(await Store.FindAccessKeyAsync("AKIDSECOND", Ct));
        Assert.Equal(
            [new AccessKeyMetadata("AKIDFIRST", AccessKeyStatus.Inactive, Now), new AccessKeyMetadata("AKIDSECOND", AccessKeyStatus.Active, Now.AddSeconds(1))],
            await Store.ListAccessKeyMetadataAsync(Alice, Ct));
    }

    [Fact]
    public async Task An_access_key_status_is_set_only_through_its_own_principal()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);
        await Store.CreatePrincipalAsync(User("bob"), Ct);
        await Store.CreateAccessKeyAsync(AccessKey("AKIDALICE"), 2, Ct);

        var outcome = await Store.SetAccessKeyStatusAsync(PrincipalRecord.UserArn(Account, "bob"), "AKIDALICE", AccessKeyStatus.Inactive, Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.NotNull(await Store.FindAccessKeyAsync("AKIDALICE", Ct));
    }

    [Fact]
    public async Task Creating_an_access_key_for_an_unknown_principal_fails_with_NotFound()
    {
        var outcome = await Store.CreateAccessKeyAsync(AccessKey("AKIDALICE"), 2, Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
    }

    [Fact]
    public async Task IAM_entity_writes_move_the_identity_version()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        var before = await Store.GetIdentityVersionAsync(Ct);

        await Store.CreateIamEntityAsync(Entity("alice"), [], Ct);
        await Store.UpdateIamEntityAsync(Entity("alice") with { Description = "x" }, Ct);
        await Store.ChangePrincipalTagsAsync(Alice, [new Tag("a", "1")], [], 50, Ct);
        await Store.CreateAccessKeyAsync(AccessKey("AKIDALICE"), 2, Ct);
        await Store.SetAccessKeyStatusAsync(Alice, "AKIDALICE", AccessKeyStatus.Inactive, Ct);

        Assert.Equal(before + 5, await Store.GetIdentityVersionAsync(Ct));
    }
}
