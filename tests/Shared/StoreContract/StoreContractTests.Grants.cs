using Citadel.Core.Grants;
using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The store contract for grants.</summary>
public abstract partial class StoreContractTests
{
    private static GrantRecord Grant(KeyRecord key, string id, DateTimeOffset? createdAt = null, string? retiring = null, GrantConstraints? constraints = null) =>
        new(id, key.Id, "name-" + id, "arn:aws:iam::111122223333:role/app", retiring, Account, ["Encrypt", "Decrypt"], constraints, createdAt ?? Now);

    private static void AssertSameGrant(GrantRecord expected, GrantRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Operations = [], Constraints = null }, actual with { Operations = [], Constraints = null });
        Assert.Equal(expected.Operations, actual.Operations);
        Assert.Equal(expected.Constraints?.EncryptionContextEquals, actual.Constraints?.EncryptionContextEquals);
        Assert.Equal(expected.Constraints?.EncryptionContextSubset, actual.Constraints?.EncryptionContextSubset);
    }

    [Fact]
    public async Task A_created_grant_is_read_back_with_every_field()
    {
        var key = await CreatedAsync();
        var constraints = new GrantConstraints(new Dictionary<string, string> { ["dept"] = "ünï", ["b"] = "" }, new Dictionary<string, string> { ["app"] = "x" });
        var grant = Grant(key, "g1", retiring: "arn:aws:iam::111122223333:user/retirer", constraints: constraints) with { Operations = ["GenerateDataKey", "Encrypt", "RetireGrant"] };

        var outcome = await Store.CreateGrantAsync(grant, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        AssertSameGrant(grant, Assert.Single(await Store.ListGrantsAsync(key.Id, Ct)));
    }

    [Fact]
    public async Task A_grant_without_constraints_or_retiring_principal_is_read_back_without_them()
    {
        var key = await CreatedAsync();
        var constraints = new GrantConstraints(new Dictionary<string, string> { ["a"] = "1" }, null);
        await Store.CreateGrantAsync(Grant(key, "g1"), Ct);
        await Store.CreateGrantAsync(Grant(key, "g2", createdAt: Now.AddSeconds(1), constraints: constraints), Ct);

        var grants = await Store.ListGrantsAsync(key.Id, Ct);

        Assert.Null(grants[0].RetiringPrincipal);
        Assert.Null(grants[0].Constraints);
        AssertSameGrant(Grant(key, "g2", createdAt: Now.AddSeconds(1), constraints: constraints), grants[1]);
        Assert.Null(grants[1].Constraints?.EncryptionContextSubset);
    }

    [Fact]
    public async Task Creating_a_grant_on_a_key_that_does_not_exist_fails_with_NotFound()
    {
        var key = NewKey();

        var outcome = await Store.CreateGrantAsync(Grant(key, "g1"), Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Empty(await Store.ListGrantsAsync(key.Id, Ct));
    }

    [Fact]
    public async Task Creating_a_grant_with_an_existing_id_fails_with_AlreadyExists_and_keeps_the_first()
    {
        var key = await CreatedAsync();
        await Store.CreateGrantAsync(Grant(key, "g1"), Ct);

        var outcome = await Store.CreateGrantAsync(Grant(key, "g1") with { Name = "other" }, Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Equal("name-g1", Assert.Single(await Store.ListGrantsAsync(key.Id, Ct)).Name);
    }

    [Fact]
    public async Task Grants_are_listed_per_key_by_creation_time_then_id()
    {
        var key = await CreatedAsync();
        var other = await CreatedAsync();
        await Store.CreateGrantAsync(Grant(key, "c", Now.AddSeconds(1)), Ct);
        await Store.CreateGrantAsync(Grant(key, "b", Now.AddSeconds(2)), Ct);
        await Store.CreateGrantAsync(Grant(key, "a", Now.AddSeconds(1)), Ct);
        await Store.CreateGrantAsync(Grant(other, "d"), Ct);

        var grants = await Store.ListGrantsAsync(key.Id, Ct);

        Assert.Equal(["a", "c", "b"], grants.Select(g => g.GrantId));
    }

    [Fact]
    public async Task Grants_are_listed_by_retiring_principal_across_keys()
    {
        var key = await CreatedAsync();
        var other = await CreatedAsync();
        const string Retirer = "arn:aws:iam::111122223333:user/retirer";
        await Store.CreateGrantAsync(Grant(key, "a", Now.AddSeconds(2), retiring: Retirer), Ct);
        await Store.CreateGrantAsync(Grant(other, "b", Now.AddSeconds(1), retiring: Retirer), Ct);
        await Store.CreateGrantAsync(Grant(key, "c", retiring: "arn:aws:iam::111122223333:user/else"), Ct);
        await Store.CreateGrantAsync(Grant(key, "d"), Ct);

        var grants = await Store.ListGrantsByRetiringPrincipalAsync(Retirer, Ct);

        Assert.Equal(["b", "a"], grants.Select(g => g.GrantId));
    }

    [Fact]
    public async Task Deleting_a_grant_removes_it_and_deleting_it_again_fails_with_NotFound()
    {
        var key = await CreatedAsync();
        var other = await CreatedAsync();
        await Store.CreateGrantAsync(Grant(key, "g1"), Ct);
        await Store.CreateGrantAsync(Grant(key, "g2"), Ct);

        var wrongKey = await Store.DeleteGrantAsync(other.Id, "g1", Ct);
        var first = await Store.DeleteGrantAsync(key.Id, "g1", Ct);
        var second = await Store.DeleteGrantAsync(key.Id, "g1", Ct);

        Assert.Equal(StoreOutcome.NotFound, wrongKey);
        Assert.Equal(StoreOutcome.Success, first);
        Assert.Equal(StoreOutcome.NotFound, second);
        Assert.Equal(["g2"], (await Store.ListGrantsAsync(key.Id, Ct)).Select(g => g.GrantId));
    }

    [Fact]
    public async Task Deleting_a_key_removes_its_grants()
    {
        var key = await CreatedAsync();
        var other = await CreatedAsync();
        await Store.CreateGrantAsync(Grant(key, "g1", retiring: "arn:aws:iam::111122223333:user/r"), Ct);
        await Store.CreateGrantAsync(Grant(other, "g2"), Ct);

        await Store.DeleteKeyAsync(key, Ct);

        Assert.Empty(await Store.ListGrantsAsync(key.Id, Ct));
        Assert.Empty(await Store.ListGrantsByRetiringPrincipalAsync("arn:aws:iam::111122223333:user/r", Ct));
        Assert.Single(await Store.ListGrantsAsync(other.Id, Ct));
    }
}
