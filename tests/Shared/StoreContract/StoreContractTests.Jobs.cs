using Citadel.Core.Grants;
using Citadel.Core.Identity;
using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The store contract for what background jobs and development resets use.</summary>
public abstract partial class StoreContractTests
{
    private static KeyRecord Rotating(DateTimeOffset next, KeyState state = KeyState.Enabled, bool enabled = true) =>
        NewKey() with { State = state, RotationEnabled = enabled, RotationPeriodInDays = 365, NextRotationAt = next };

    [Fact]
    public async Task Keys_due_for_rotation_are_enabled_with_rotation_on_and_a_time_at_or_before_now_earliest_first()
    {
        var due = await CreatedAsync(Rotating(Now.AddDays(-1)));
        var dueNow = await CreatedAsync(Rotating(Now));
        var earliest = await CreatedAsync(Rotating(Now.AddDays(-3)));
        await CreatedAsync(Rotating(Now.AddSeconds(1)));
        await CreatedAsync(Rotating(Now.AddDays(-2), state: KeyState.Disabled));
        await CreatedAsync(Rotating(Now.AddDays(-2), state: KeyState.PendingDeletion) with { DeletionDate = Now.AddDays(7), PendingWindowInDays = 7 });
        await CreatedAsync(Rotating(Now.AddDays(-2), enabled: false));
        await CreatedAsync();

        var keys = await Store.ListKeysDueForRotationAsync(Now, 10, Ct);

        Assert.Equal([earliest.Id, due.Id, dueNow.Id], keys.Select(k => k.Id));
    }

    [Fact]
    public async Task Keys_due_for_rotation_are_limited()
    {
        var earliest = await CreatedAsync(Rotating(Now.AddDays(-2)));
        await CreatedAsync(Rotating(Now.AddDays(-1)));

        var keys = await Store.ListKeysDueForRotationAsync(Now, 1, Ct);

        Assert.Equal([earliest.Id], keys.Select(k => k.Id));
    }

    [Fact]
    public async Task A_rotated_key_is_no_longer_due_for_rotation()
    {
        var key = await CreatedAsync(Rotating(Now.AddDays(-1)));

        await Store.UpdateKeyAsync(key with { CurrentMaterialVersion = 2, NextRotationAt = Now.AddDays(364) }, Material(key, 2, MaterialOrigin.AutomaticRotation), Ct);

        Assert.Empty(await Store.ListKeysDueForRotationAsync(Now, 10, Ct));
    }

    [Fact]
    public async Task Deleting_all_keys_removes_keys_materials_aliases_tags_and_grants_and_keeps_identities()
    {
        await Store.CreateAccountAsync(Account, Now, Ct);
        await Store.PutAccessKeyAsync(new AccessKeyRecord("AKIDA", Account, "arn:aws:iam::111122223333:root", PrincipalType.Root, Account, [1], Now), Ct);
        var key = await CreatedAsync(tags: [new Tag("t", "v")]);
        await Store.CreateAliasAsync(Alias("alias/app", key), Ct);
        await Store.CreateGrantAsync(new GrantRecord("g", key.Id, "n", "arn:aws:iam::111122223333:root", null, Account, ["Encrypt"], null, Now), Ct);

        await Store.DeleteAllKeysAsync(Ct);

        Assert.Null(await Store.GetKeyAsync(key.Id, Ct));
        Assert.Empty((await Store.ListKeysAsync(Account, Region, 10, null, Ct)).Items);
        Assert.Empty(await Store.ListMaterialsAsync(key.Id, Ct));
        Assert.Empty(await Store.ListTagsAsync(key.Id, Ct));
        Assert.Null(await Store.GetAliasAsync(Account, Region, "alias/app", Ct));
        Assert.Empty(await Store.ListGrantsAsync(key.Id, Ct));
        Assert.NotNull(await Store.FindAccessKeyAsync("AKIDA", Ct));
        Assert.Equal([Account], await Store.ListAccountsAsync(Ct));
        Assert.Equal(StoreOutcome.Success, await Store.CreateKeyAsync(NewKey(id: key.Id), Material(key, 1), [], Ct));
    }
}
