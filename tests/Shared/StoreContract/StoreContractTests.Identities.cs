using Citadel.Core.Identity;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The store contract for accounts, principals, access keys, identity policies and the identity version.</summary>
public abstract partial class StoreContractTests
{
    private const string Alice = "arn:aws:iam::111122223333:user/alice";

    private static PrincipalRecord User(string name, string account = Account) =>
        new(PrincipalRecord.UserArn(account, name), account, PrincipalType.IamUser, name, "AIDA" + name.ToUpperInvariant(), Now);

    private static AccessKeyRecord AccessKey(string id, string principalArn = Alice) =>
        new(id, Account, principalArn, PrincipalType.IamUser, "AIDAALICE", [1, 2, (byte)id.Length], Now);

    [Fact]
    public async Task Creating_an_account_creates_its_root_principal()
    {
        var outcome = await Store.CreateAccountAsync(Account, Now, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(new PrincipalRecord("arn:aws:iam::111122223333:root", Account, PrincipalType.Root, "root", Account, Now), await Store.GetPrincipalAsync("arn:aws:iam::111122223333:root", Ct));
    }

    [Fact]
    public async Task Creating_an_existing_account_fails_with_AlreadyExists()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);

        var outcome = await Store.CreateAccountAsync(Account, Now.AddDays(1), Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Equal(Now, (await Store.GetPrincipalAsync("arn:aws:iam::111122223333:root", Ct))?.CreatedAt);
    }

    [Fact]
    public async Task Accounts_are_listed_in_order()
    {
        await Store.CreateAccountAsync("444455556666", Now, Ct);
        await Store.CreateAccountAsync(Account, Now, Ct);

        var accounts = await Store.ListAccountsAsync(Ct);

        Assert.Equal([Account, "444455556666"], accounts);
    }

    [Fact]
    public async Task A_created_principal_is_read_back_with_every_field()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        var role = new PrincipalRecord(PrincipalRecord.RoleArn(Account, "deployer"), Account, PrincipalType.AssumedRole, "deployer", "AROADEPLOYER", Now.AddHours(1));

        var outcome = await Store.CreatePrincipalAsync(role, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(role, await Store.GetPrincipalAsync(role.Arn, Ct));
    }

    [Fact]
    public async Task Creating_a_principal_in_an_unknown_account_fails_with_NotFound()
    {
        var outcome = await Store.CreatePrincipalAsync(User("alice"), Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Null(await Store.GetPrincipalAsync(Alice, Ct));
    }

    [Fact]
    public async Task Creating_an_existing_principal_fails_with_AlreadyExists_and_keeps_the_first()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);

        var outcome = await Store.CreatePrincipalAsync(User("alice") with { PrincipalId = "AIDAOTHER" }, Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Equal("AIDAALICE", (await Store.GetPrincipalAsync(Alice, Ct))?.PrincipalId);
    }

    [Fact]
    public async Task Principals_of_an_account_are_listed_by_arn_with_its_root()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreateAccountAsync("444455556666", Now, Ct);
        await Store.CreatePrincipalAsync(User("zoe"), Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);
        await Store.CreatePrincipalAsync(User("bob", "444455556666"), Ct);

        var principals = await Store.ListPrincipalsAsync(Account, Ct);

        Assert.Equal(["arn:aws:iam::111122223333:root", Alice, "arn:aws:iam::111122223333:user/zoe"], principals.Select(p => p.Arn));
    }

    [Fact]
    public async Task Deleting_a_principal_removes_its_access_keys_and_identity_policies()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);
        await Store.CreatePrincipalAsync(User("bob"), Ct);
        await Store.PutAccessKeyAsync(AccessKey("AKIDALICE"), Ct);
        await Store.PutAccessKeyAsync(AccessKey("AKIDBOB", PrincipalRecord.UserArn(Account, "bob")), Ct);
        await Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(Alice, "p", "{}"), Ct);
        await Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(PrincipalRecord.UserArn(Account, "bob"), "p", "{}"), Ct);

        var outcome = await Store.DeletePrincipalAsync(Alice, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Null(await Store.GetPrincipalAsync(Alice, Ct));
        Assert.Null(await Store.FindAccessKeyAsync("AKIDALICE", Ct));
        Assert.Empty(await Store.ListIdentityPoliciesAsync(Alice, Ct));
        Assert.NotNull(await Store.FindAccessKeyAsync("AKIDBOB", Ct));
        Assert.Single(await Store.ListIdentityPoliciesAsync(PrincipalRecord.UserArn(Account, "bob"), Ct));
    }

    [Fact]
    public async Task Deleting_an_account_root_or_an_unknown_principal_fails_with_NotFound()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);

        var root = await Store.DeletePrincipalAsync("arn:aws:iam::111122223333:root", Ct);
        var unknown = await Store.DeletePrincipalAsync(Alice, Ct);

        Assert.Equal(StoreOutcome.NotFound, root);
        Assert.Equal(StoreOutcome.NotFound, unknown);
        Assert.NotNull(await Store.GetPrincipalAsync("arn:aws:iam::111122223333:root", Ct));
    }

    [Fact]
    public async Task Access_keys_are_listed_by_id_for_everyone_or_for_one_principal()
    {
        await Store.PutAccessKeyAsync(AccessKey("AKIDC"), Ct);
        await Store.PutAccessKeyAsync(AccessKey("AKIDA", "arn:aws:iam::111122223333:user/bob"), Ct);
        await Store.PutAccessKeyAsync(AccessKey("AKIDB"), Ct);

        var all = await Store.ListAccessKeysAsync(null, Ct);
        var alices = await Store.ListAccessKeysAsync(Alice, Ct);

        Assert.Equal(["AKIDA", "AKIDB", "AKIDC"], all.Select(k => k.AccessKeyId));
        Assert.Equal(["AKIDB", "AKIDC"], alices.Select(k => k.AccessKeyId));
        Assert.Equal(AccessKey("AKIDB").SealedSecret, alices[0].SealedSecret);
    }

    [Fact]
    public async Task Deleting_an_access_key_removes_it_and_deleting_it_again_fails_with_NotFound()
    {
        await Store.PutAccessKeyAsync(AccessKey("AKIDA"), Ct);

        var first = await Store.DeleteAccessKeyAsync("AKIDA", Ct);
        var second = await Store.DeleteAccessKeyAsync("AKIDA", Ct);

        Assert.Equal(StoreOutcome.Success, first);
        Assert.Equal(StoreOutcome.NotFound, second);
        Assert.Null(await Store.FindAccessKeyAsync("AKIDA", Ct));
    }

    [Fact]
    public async Task Identity_policies_are_replaced_by_name_and_listed_by_name()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);
        await Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(Alice, "write", "{\"v\":1}"), Ct);
        await Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(Alice, "read", "{\"v\":2}"), Ct);

        var outcome = await Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(Alice, "write", "{\"v\":3}"), Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(
            [new IdentityPolicyRecord(Alice, "read", "{\"v\":2}"), new IdentityPolicyRecord(Alice, "write", "{\"v\":3}")],
            await Store.ListIdentityPoliciesAsync(Alice, Ct));
    }

    [Fact]
    public async Task Putting_an_identity_policy_on_an_unknown_principal_fails_with_NotFound()
    {
        var outcome = await Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(Alice, "p", "{}"), Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Empty(await Store.ListIdentityPoliciesAsync(Alice, Ct));
    }

    [Fact]
    public async Task Deleting_an_identity_policy_removes_it_and_deleting_it_again_fails_with_NotFound()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);
        await Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(Alice, "p", "{}"), Ct);

        var first = await Store.DeleteIdentityPolicyAsync(Alice, "p", Ct);
        var second = await Store.DeleteIdentityPolicyAsync(Alice, "p", Ct);

        Assert.Equal(StoreOutcome.Success, first);
        Assert.Equal(StoreOutcome.NotFound, second);
        Assert.Empty(await Store.ListIdentityPoliciesAsync(Alice, Ct));
    }

    [Fact]
    public async Task The_identity_version_grows_with_every_identity_change_and_not_with_a_refused_one()
    {
        var versions = new List<long> { await Store.GetIdentityVersionAsync(Ct) };
        async Task Changed(Func<Task> change)
        {
            await change();
            versions.Add(await Store.GetIdentityVersionAsync(Ct));
        }

        await Changed(() => Store.CreateAccountAsync(Account, Now, Ct));
        await Changed(() => Store.CreatePrincipalAsync(User("alice"), Ct));
        await Changed(() => Store.PutAccessKeyAsync(AccessKey("AKIDA"), Ct));
        await Changed(() => Store.PutIdentityPolicyAsync(new IdentityPolicyRecord(Alice, "p", "{}"), Ct));
        await Changed(() => Store.DeleteIdentityPolicyAsync(Alice, "p", Ct));
        await Changed(() => Store.DeleteAccessKeyAsync("AKIDA", Ct));
        await Changed(() => Store.DeletePrincipalAsync(Alice, Ct));
        var before = await Store.GetIdentityVersionAsync(Ct);
        Assert.Equal(StoreOutcome.AlreadyExists, await Store.CreateAccountAsync(Account, Now, Ct));
        Assert.Equal(StoreOutcome.NotFound, await Store.DeleteAccessKeyAsync("AKIDA", Ct));
        Assert.Equal(StoreOutcome.NotFound, await Store.DeletePrincipalAsync(Alice, Ct));
        var after = await Store.GetIdentityVersionAsync(Ct);

        for (var i = 1; i < versions.Count; i++)
        {
            Assert.True(versions[i] > versions[i - 1], $"change {i} did not move the identity version ({string.Join(", ", versions)})");
        }

        Assert.Equal(before, after);
    }
}
