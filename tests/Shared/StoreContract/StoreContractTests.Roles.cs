using Citadel.Core.Identity;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The store contract for what a role has beyond a principal: its trust policy and maximum session duration.</summary>
public abstract partial class StoreContractTests
{
    private const string TrustAlice = """{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}""";

    private IRoleStore Roles => (IRoleStore)Store;

    private async Task<PrincipalRecord> RoleAsync(string name)
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        var role = new PrincipalRecord(PrincipalRecord.RoleArn(Account, name), Account, PrincipalType.AssumedRole, name, "AROA" + name.ToUpperInvariant(), Now);
        Assert.Equal(StoreOutcome.Success, await Store.CreatePrincipalAsync(role, Ct));
        return role;
    }

    [Fact]
    public async Task A_new_role_trusts_no_one_and_has_the_default_maximum_session_duration()
    {
        var role = await RoleAsync("fresh");

        var settings = await Roles.GetRoleSettingsAsync(role.Arn, Ct);

        Assert.Equal(new RoleSettings(role.Arn, "AROAFRESH", null, 3600), settings);
    }

    [Fact]
    public async Task A_roles_trust_policy_and_maximum_session_duration_are_read_back_and_each_kept_when_the_other_is_set()
    {
        var role = await RoleAsync("deployer");
        var versionBefore = await Store.GetIdentityVersionAsync(Ct);

        Assert.Equal(StoreOutcome.Success, await Roles.PutRoleSettingsAsync(role.Arn, TrustAlice, null, Ct));
        Assert.Equal(StoreOutcome.Success, await Roles.PutRoleSettingsAsync(role.Arn, null, 7200, Ct));

        Assert.Equal(new RoleSettings(role.Arn, "AROADEPLOYER", TrustAlice, 7200), await Roles.GetRoleSettingsAsync(role.Arn, Ct));
        Assert.True(await Store.GetIdentityVersionAsync(Ct) > versionBefore);
    }

    [Fact]
    public async Task Role_settings_of_a_user_or_of_no_principal_are_NotFound_and_null()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.CreatePrincipalAsync(User("alice"), Ct);

        Assert.Equal(StoreOutcome.NotFound, await Roles.PutRoleSettingsAsync(Alice, TrustAlice, null, Ct));
        Assert.Equal(StoreOutcome.NotFound, await Roles.PutRoleSettingsAsync(PrincipalRecord.RoleArn(Account, "ghost"), TrustAlice, null, Ct));
        Assert.Null(await Roles.GetRoleSettingsAsync(Alice, Ct));
        Assert.Null(await Roles.GetRoleSettingsAsync(PrincipalRecord.RoleArn(Account, "ghost"), Ct));
    }

    [Fact]
    public async Task A_role_made_again_under_a_deleted_roles_name_does_not_inherit_its_trust_policy()
    {
        var role = await RoleAsync("reborn");
        await Roles.PutRoleSettingsAsync(role.Arn, TrustAlice, 43200, Ct);
        await Store.DeletePrincipalAsync(role.Arn, Ct);

        await Store.CreatePrincipalAsync(role with { PrincipalId = "AROAREBORN2" }, Ct);

        Assert.Equal(new RoleSettings(role.Arn, "AROAREBORN2", null, 3600), await Roles.GetRoleSettingsAsync(role.Arn, Ct));
    }
}
