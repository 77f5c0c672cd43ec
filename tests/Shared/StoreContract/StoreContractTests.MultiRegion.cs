using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>Multi-Region keys: one row per Region under one key id, a set listed and changed together.</summary>
public abstract partial class StoreContractTests
{
    private const string West = "us-west-2";

    private static KeyRecord MultiRegionKey(KeyId id, string region, string primaryRegion, params string[] replicas) =>
        NewKey(region: region, id: id.InRegion(region)) with { PrimaryRegion = primaryRegion, ReplicaRegions = replicas };

    [Fact]
    public async Task The_keys_of_a_multi_Region_set_are_separate_rows_with_one_key_id_and_their_own_materials_and_tags()
    {
        var id = KeyId.NewMultiRegion(Region);
        var east = await CreatedAsync(MultiRegionKey(id, Region, Region, West), [new Tag("site", "a")]);
        var west = await CreatedAsync(MultiRegionKey(id, West, Region, West), [new Tag("site", "b")]);

        var set = await Store.ListKeySetAsync(id.Set, Ct);

        Assert.Equal([Region, West], set.Select(k => k.Region));
        Assert.Equal(east.Id.ToString(), west.Id.ToString());
        Assert.Equal(west, await Store.GetKeyAsync(id.InRegion(West), Ct));
        Assert.Equal(Region, west.PrimaryRegion);
        Assert.Equal([West], west.ReplicaRegions);
        Assert.Equal("b", Assert.Single(await Store.ListTagsAsync(west.Id, Ct)).Value);
        Assert.Equal(west.Id, Assert.Single(await Store.ListMaterialsAsync(west.Id, Ct)).KeyId);
        Assert.Equal([west.Id], (await Store.ListKeysAsync(Account, West, 10, null, Ct)).Items.Select(k => k.Id));
    }

    [Fact]
    public async Task A_multi_Region_set_lists_only_its_own_keys()
    {
        var id = KeyId.NewMultiRegion(Region);
        await CreatedAsync(MultiRegionKey(id, Region, Region));
        await CreatedAsync(MultiRegionKey(KeyId.NewMultiRegion(Region), Region, Region));
        await CreatedAsync();

        var set = await Store.ListKeySetAsync(id, Ct);

        Assert.Equal([id.InRegion(Region)], set.Select(k => k.Id));
        Assert.Empty(await Store.ListKeySetAsync(KeyId.New(), Ct));
    }

    [Fact]
    public async Task A_key_set_change_creates_updates_and_deletes_in_one_transaction()
    {
        var id = KeyId.NewMultiRegion(Region);
        var east = await CreatedAsync(MultiRegionKey(id, Region, Region, "eu-west-1"));
        var leaving = await CreatedAsync(MultiRegionKey(id, "eu-west-1", Region, "eu-west-1"));
        var west = MultiRegionKey(id, West, Region, West);

        var outcome = await Store.ChangeKeySetAsync(
            new KeySetChange
            {
                Create = [new KeyCreation(west, [Material(west, 1), Material(west, 2)], [new Tag("t", "v")])],
                Update = [new KeyUpdate(east with { ReplicaRegions = [West], CurrentMaterialVersion = 2 }, [Material(east, 2)])],
                Delete = [leaving],
            },
            Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal([Region, West], (await Store.ListKeySetAsync(id, Ct)).Select(k => k.Region));
        var updated = (await Store.GetKeyAsync(east.Id, Ct))!;
        Assert.Equal([West], updated.ReplicaRegions);
        Assert.Equal(east.RowVersion + 1, updated.RowVersion);
        Assert.Equal([1, 2], (await Store.ListMaterialsAsync(east.Id, Ct)).Select(m => m.Version));
        Assert.Equal([1, 2], (await Store.ListMaterialsAsync(west.Id, Ct)).Select(m => m.Version));
        Assert.Empty(await Store.ListMaterialsAsync(leaving.Id, Ct));
    }

    [Fact]
    public async Task A_key_set_change_with_one_stale_key_changes_nothing()
    {
        var id = KeyId.NewMultiRegion(Region);
        var east = await CreatedAsync(MultiRegionKey(id, Region, Region));
        var west = MultiRegionKey(id, West, Region, West);

        var outcome = await Store.ChangeKeySetAsync(
            new KeySetChange
            {
                Create = [new KeyCreation(west, [Material(west, 1)], [])],
                Update = [new KeyUpdate(east with { ReplicaRegions = [West], RowVersion = east.RowVersion + 5 }, [])],
            },
            Ct);

        Assert.Equal(StoreOutcome.VersionConflict, outcome);
        Assert.Null(await Store.GetKeyAsync(west.Id, Ct));
        Assert.Empty((await Store.GetKeyAsync(east.Id, Ct))!.ReplicaRegions);
    }

    [Fact]
    public async Task A_key_set_change_creating_a_key_that_exists_is_AlreadyExists_and_changes_nothing()
    {
        var id = KeyId.NewMultiRegion(Region);
        var east = await CreatedAsync(MultiRegionKey(id, Region, Region, West));
        await CreatedAsync(MultiRegionKey(id, West, Region, West));

        var outcome = await Store.ChangeKeySetAsync(
            new KeySetChange
            {
                Update = [new KeyUpdate(east with { Description = "changed" }, [])],
                Create = [new KeyCreation(MultiRegionKey(id, West, Region, West), [], [])],
            },
            Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Equal("a key", (await Store.GetKeyAsync(east.Id, Ct))!.Description);
    }

    [Fact]
    public async Task Keys_in_a_transient_state_are_due_when_their_time_has_come()
    {
        var id = KeyId.NewMultiRegion(Region);
        var due = await CreatedAsync(MultiRegionKey(id, West, Region, West) with { State = KeyState.Creating, TransitionAt = Now.AddSeconds(-1) });
        await CreatedAsync(MultiRegionKey(id, "eu-west-1", Region, West) with { State = KeyState.Creating, TransitionAt = Now.AddMinutes(1) });

        var keys = await Store.ListKeysDueForTransitionAsync(Now, 10, Ct);

        Assert.Equal([due.Id], keys.Select(k => k.Id));
        Assert.Equal(Now.AddSeconds(-1), keys[0].TransitionAt);
    }

    [Fact]
    public async Task A_replica_key_is_never_due_for_rotation_itself()
    {
        var id = KeyId.NewMultiRegion(Region);
        var rotating = NewKey() with { RotationEnabled = true, RotationPeriodInDays = 365, NextRotationAt = Now.AddDays(-1) };
        var primary = await CreatedAsync(rotating with { Id = id.InRegion(Region), PrimaryRegion = Region, ReplicaRegions = [West] });
        await CreatedAsync(rotating with { Id = id.InRegion(West), Region = West, PrimaryRegion = Region, ReplicaRegions = [West] });

        var keys = await Store.ListKeysDueForRotationAsync(Now, 10, Ct);

        Assert.Equal([primary.Id], keys.Select(k => k.Id));
    }
}
