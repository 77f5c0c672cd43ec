using Citadel.Core.Identity;
using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>
/// The store contract (<see cref="IStore"/>), run against every provider. A provider's test project links
/// this file and derives a class that creates an empty store. Nothing here may depend on a provider:
/// timestamps are whole seconds, and orders are the ones the contract states.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    protected const string Account = "111122223333";
    protected const string Region = "us-east-1";
    protected static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private IStore? _store;

    protected IStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Creates an empty store, not yet migrated.</summary>
    protected abstract Task<IStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.MigrateAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    protected static KeyRecord NewKey(string account = Account, string region = Region, KeyId? id = null) => new()
    {
        Id = id ?? KeyId.New(),
        AccountId = account,
        Region = region,
        CreatedAt = Now,
        State = KeyState.Enabled,
        Description = "a key",
        Policy = """{"Version":"2012-10-17","Statement":[]}""",
        CurrentMaterialVersion = 1,
        CurrentKeyMaterialId = new string('a', 64),
    };

    protected static KeyMaterialRecord Material(KeyRecord key, int version, MaterialOrigin origin = MaterialOrigin.Created) =>
        new(key.Id, version, new string((char)('a' + version), 64), [1, 2, 3, (byte)version], Now.AddDays(version), origin);

    protected static AliasRecord Alias(string name, KeyRecord target) => new(Account, Region, name, target.Id, Now, Now);

    private async Task<KeyRecord> CreatedAsync(KeyRecord? key = null, IReadOnlyList<Tag>? tags = null)
    {
        key ??= NewKey();
        Assert.Equal(StoreOutcome.Success, await Store.CreateKeyAsync(key, Material(key, 1), tags ?? [], Ct));
        return (await Store.GetKeyAsync(key.Id, Ct))!;
    }

    private static void AssertSameMaterial(KeyMaterialRecord expected, KeyMaterialRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.KeyId, actual.KeyId);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.MaterialId, actual.MaterialId);
        Assert.Equal(expected.EncryptedMaterial, actual.EncryptedMaterial);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.Origin, actual.Origin);
    }

    // Migrations

    [Fact]
    public async Task Migrating_twice_changes_nothing_and_keeps_the_data()
    {
        var key = await CreatedAsync();

        await Store.MigrateAsync(Ct);

        Assert.Equal(key, await Store.GetKeyAsync(key.Id, Ct));
    }

    // Access keys

    [Fact]
    public async Task An_unknown_access_key_is_not_found()
    {
        var found = await Store.FindAccessKeyAsync("AKIDUNKNOWN", Ct);

        Assert.Null(found);
    }

    [Fact]
    public async Task A_put_access_key_is_found_with_every_field()
    {
        var record = new AccessKeyRecord("AKIDEXAMPLE", Account, "arn:aws:iam::111122223333:user/alice", PrincipalType.IamUser, "AIDAALICE", [9, 8, 7], Now);

        await Store.PutAccessKeyAsync(record, Ct);
        var found = await Store.FindAccessKeyAsync("AKIDEXAMPLE", Ct);

        Assert.NotNull(found);
        Assert.Equal(record with { SealedSecret = found.SealedSecret }, found);
        Assert.Equal(record.SealedSecret, found.SealedSecret);
    }

    [Fact]
    public async Task Putting_an_access_key_again_replaces_it()
    {
        await Store.PutAccessKeyAsync(new AccessKeyRecord("AKIDEXAMPLE", Account, "arn:aws:iam::111122223333:user/alice", PrincipalType.IamUser, "AIDAALICE", [1], Now), Ct);
        var replacement = new AccessKeyRecord("AKIDEXAMPLE", "444455556666", "arn:aws:iam::444455556666:root", PrincipalType.Root, "444455556666", [2, 2], Now.AddDays(1));

        await Store.PutAccessKeyAsync(replacement, Ct);
        var found = await Store.FindAccessKeyAsync("AKIDEXAMPLE", Ct);

        Assert.NotNull(found);
        Assert.Equal(replacement with { SealedSecret = found.SealedSecret }, found);
        Assert.Equal(replacement.SealedSecret, found.SealedSecret);
    }

    // Keys

    [Fact]
    public async Task A_created_key_is_read_back_with_every_field()
    {
        var key = NewKey() with
        {
            State = KeyState.PendingDeletion,
            Spec = KeySpec.Hmac256,
            Usage = KeyUsage.GenerateVerifyMac,
            Origin = KeyOrigin.External,
            Manager = KeyManager.Aws,
            DeletionDate = Now.AddDays(7),
            PendingWindowInDays = 7,
            CurrentMaterialVersion = 3,
            RotationEnabled = true,
            RotationPeriodInDays = 90,
            NextRotationAt = Now.AddDays(90),
            Description = "ünïcödé description",
        };

        var outcome = await Store.CreateKeyAsync(key, null, [], Ct);
        var stored = await Store.GetKeyAsync(key.Id, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.NotNull(stored);
        Assert.Equal(key with { RowVersion = stored.RowVersion }, stored);
    }

    [Fact]
    public async Task An_unknown_key_is_not_found()
    {
        var stored = await Store.GetKeyAsync(KeyId.New(), Ct);

        Assert.Null(stored);
    }

    [Fact]
    public async Task Creating_a_key_with_an_existing_id_fails_with_AlreadyExists_and_changes_nothing()
    {
        var key = await CreatedAsync();

        var outcome = await Store.CreateKeyAsync(NewKey(id: key.Id) with { Description = "other" }, Material(key, 9), [new Tag("t", "v")], Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Equal(key, await Store.GetKeyAsync(key.Id, Ct));
        Assert.Equal([1], (await Store.ListMaterialsAsync(key.Id, Ct)).Select(m => m.Version));
        Assert.Empty(await Store.ListTagsAsync(key.Id, Ct));
    }

    [Fact]
    public async Task A_key_is_created_with_its_first_material_and_its_tags()
    {
        var key = NewKey();

        await Store.CreateKeyAsync(key, Material(key, 1), [new Tag("b", "2"), new Tag("a", "1")], Ct);

        AssertSameMaterial(Material(key, 1), await Store.GetMaterialAsync(key.Id, 1, Ct));
        Assert.Equal([new Tag("a", "1"), new Tag("b", "2")], await Store.ListTagsAsync(key.Id, Ct));
    }

    [Fact]
    public async Task Updating_a_key_at_its_row_version_replaces_its_metadata_and_changes_the_row_version()
    {
        var key = await CreatedAsync();
        var changed = key with { State = KeyState.Disabled, Description = "changed", RotationEnabled = true, RotationPeriodInDays = 365, NextRotationAt = Now.AddDays(365) };

        var outcome = await Store.UpdateKeyAsync(changed, null, Ct);
        var stored = await Store.GetKeyAsync(key.Id, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.NotNull(stored);
        Assert.NotEqual(key.RowVersion, stored.RowVersion);
        Assert.Equal(changed with { RowVersion = stored.RowVersion }, stored);
    }

    [Fact]
    public async Task Updating_a_key_with_a_stale_row_version_fails_with_VersionConflict_and_changes_nothing()
    {
        var key = await CreatedAsync();
        Assert.Equal(StoreOutcome.Success, await Store.UpdateKeyAsync(key with { Description = "first" }, null, Ct));
        var current = await Store.GetKeyAsync(key.Id, Ct);

        var outcome = await Store.UpdateKeyAsync(key with { Description = "second", CurrentMaterialVersion = 2 }, Material(key, 2), Ct);

        Assert.Equal(StoreOutcome.VersionConflict, outcome);
        Assert.Equal(current, await Store.GetKeyAsync(key.Id, Ct));
        Assert.Null(await Store.GetMaterialAsync(key.Id, 2, Ct));
    }

    [Fact]
    public async Task Updating_a_key_that_does_not_exist_fails_with_NotFound()
    {
        var outcome = await Store.UpdateKeyAsync(NewKey(), null, Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
    }

    [Fact]
    public async Task Rotation_adds_the_new_material_in_the_same_update()
    {
        var key = await CreatedAsync();
        var rotated = key with { CurrentMaterialVersion = 2, CurrentKeyMaterialId = Material(key, 2).MaterialId };

        var outcome = await Store.UpdateKeyAsync(rotated, Material(key, 2, MaterialOrigin.OnDemandRotation), Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(2, (await Store.GetKeyAsync(key.Id, Ct))?.CurrentMaterialVersion);
        AssertSameMaterial(Material(key, 2, MaterialOrigin.OnDemandRotation), await Store.GetMaterialAsync(key.Id, 2, Ct));
    }

    [Fact]
    public async Task Materials_are_listed_by_version()
    {
        var key = await CreatedAsync();
        var current = key;
        foreach (var version in new[] { 3, 2 })
        {
            Assert.Equal(StoreOutcome.Success, await Store.UpdateKeyAsync(current with { CurrentMaterialVersion = version }, Material(key, version, MaterialOrigin.AutomaticRotation), Ct));
            current = (await Store.GetKeyAsync(key.Id, Ct))!;
        }

        var materials = await Store.ListMaterialsAsync(key.Id, Ct);

        Assert.Equal([1, 2, 3], materials.Select(m => m.Version));
        AssertSameMaterial(Material(key, 3, MaterialOrigin.AutomaticRotation), materials[2]);
    }

    [Fact]
    public async Task An_unknown_material_version_is_not_found()
    {
        var key = await CreatedAsync();

        var material = await Store.GetMaterialAsync(key.Id, 2, Ct);

        Assert.Null(material);
        Assert.Empty(await Store.ListMaterialsAsync(KeyId.New(), Ct));
    }

    [Fact]
    public async Task Keys_are_listed_by_id_in_pages_whose_marker_is_the_last_id()
    {
        var ids = new List<KeyId>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CreatedAsync()).Id);
        }

        await CreatedAsync(NewKey(account: "444455556666"));
        await CreatedAsync(NewKey(region: "eu-west-1"));
        var sorted = ids.Select(id => id.ToString()).Order(StringComparer.Ordinal).ToList();

        var first = await Store.ListKeysAsync(Account, Region, 2, null, Ct);
        var second = await Store.ListKeysAsync(Account, Region, 2, first.NextMarker, Ct);
        var third = await Store.ListKeysAsync(Account, Region, 2, second.NextMarker, Ct);

        Assert.Equal(sorted[..2], first.Items.Select(k => k.Id.ToString()));
        Assert.Equal(sorted[1], first.NextMarker);
        Assert.Equal(sorted[2..4], second.Items.Select(k => k.Id.ToString()));
        Assert.Equal(sorted[3], second.NextMarker);
        Assert.Equal(sorted[4..], third.Items.Select(k => k.Id.ToString()));
        Assert.Null(third.NextMarker);
    }

    [Fact]
    public async Task A_page_that_holds_exactly_the_rest_has_no_marker()
    {
        await CreatedAsync();
        await CreatedAsync();

        var page = await Store.ListKeysAsync(Account, Region, 2, null, Ct);

        Assert.Equal(2, page.Items.Count);
        Assert.Null(page.NextMarker);
    }

    [Fact]
    public async Task Listing_keys_of_an_account_without_keys_gives_an_empty_last_page()
    {
        await CreatedAsync();

        var page = await Store.ListKeysAsync("444455556666", Region, 10, null, Ct);

        Assert.Empty(page.Items);
        Assert.Null(page.NextMarker);
    }

    [Fact]
    public async Task Keys_due_for_deletion_are_pending_deletion_with_a_date_at_or_before_now()
    {
        var due = await CreatedAsync(NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(-1), PendingWindowInDays = 7 });
        var dueNow = await CreatedAsync(NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now, PendingWindowInDays = 7 });
        await CreatedAsync(NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now.AddSeconds(1), PendingWindowInDays = 7 });
        await CreatedAsync(NewKey() with { State = KeyState.Disabled, DeletionDate = Now.AddDays(-2) });
        await CreatedAsync();

        var keys = await Store.ListKeysDueForDeletionAsync(Now, 10, Ct);

        Assert.Equal([due.Id, dueNow.Id], keys.Select(k => k.Id));
    }

    [Fact]
    public async Task Keys_due_for_deletion_are_limited()
    {
        await CreatedAsync(NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(-2), PendingWindowInDays = 7 });
        await CreatedAsync(NewKey() with { State = KeyState.PendingDeletion, DeletionDate = Now.AddDays(-1), PendingWindowInDays = 7 });

        var keys = await Store.ListKeysDueForDeletionAsync(Now, 1, Ct);

        Assert.Single(keys);
    }

    [Fact]
    public async Task Deleting_a_key_removes_its_materials_aliases_and_tags()
    {
        var key = await CreatedAsync(tags: [new Tag("t", "v")]);
        var other = await CreatedAsync(tags: [new Tag("t", "w")]);
        Assert.Equal(StoreOutcome.Success, await Store.CreateAliasAsync(Alias("alias/doomed", key), Ct));
        Assert.Equal(StoreOutcome.Success, await Store.CreateAliasAsync(Alias("alias/kept", other), Ct));

        var outcome = await Store.DeleteKeyAsync(key, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Null(await Store.GetKeyAsync(key.Id, Ct));
        Assert.Empty(await Store.ListMaterialsAsync(key.Id, Ct));
        Assert.Empty(await Store.ListTagsAsync(key.Id, Ct));
        Assert.Null(await Store.GetAliasAsync(Account, Region, "alias/doomed", Ct));
        Assert.NotNull(await Store.GetKeyAsync(other.Id, Ct));
        Assert.Single(await Store.ListMaterialsAsync(other.Id, Ct));
        Assert.Equal([new Tag("t", "w")], await Store.ListTagsAsync(other.Id, Ct));
        Assert.NotNull(await Store.GetAliasAsync(Account, Region, "alias/kept", Ct));
    }

    [Fact]
    public async Task Deleting_a_key_with_a_stale_row_version_fails_with_VersionConflict_and_deletes_nothing()
    {
        var key = await CreatedAsync(tags: [new Tag("t", "v")]);
        Assert.Equal(StoreOutcome.Success, await Store.UpdateKeyAsync(key with { Description = "changed" }, null, Ct));

        var outcome = await Store.DeleteKeyAsync(key, Ct);

        Assert.Equal(StoreOutcome.VersionConflict, outcome);
        Assert.NotNull(await Store.GetKeyAsync(key.Id, Ct));
        Assert.Single(await Store.ListMaterialsAsync(key.Id, Ct));
        Assert.Single(await Store.ListTagsAsync(key.Id, Ct));
    }

    [Fact]
    public async Task Deleting_a_key_that_does_not_exist_fails_with_NotFound()
    {
        var outcome = await Store.DeleteKeyAsync(NewKey(), Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
    }

    // Aliases

    [Fact]
    public async Task A_created_alias_is_read_back_with_every_field()
    {
        var key = await CreatedAsync();
        var alias = new AliasRecord(Account, Region, "alias/app", key.Id, Now, Now.AddSeconds(5));

        var outcome = await Store.CreateAliasAsync(alias, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(alias, await Store.GetAliasAsync(Account, Region, "alias/app", Ct));
    }

    [Fact]
    public async Task An_alias_is_scoped_to_its_account_and_region()
    {
        var key = await CreatedAsync();
        await Store.CreateAliasAsync(Alias("alias/app", key), Ct);

        Assert.Null(await Store.GetAliasAsync("444455556666", Region, "alias/app", Ct));
        Assert.Null(await Store.GetAliasAsync(Account, "eu-west-1", "alias/app", Ct));
        Assert.Null(await Store.GetAliasAsync(Account, Region, "alias/App", Ct));
    }

    [Fact]
    public async Task Creating_an_existing_alias_fails_with_AlreadyExists_and_keeps_its_target()
    {
        var key = await CreatedAsync();
        var other = await CreatedAsync();
        await Store.CreateAliasAsync(Alias("alias/app", key), Ct);

        var outcome = await Store.CreateAliasAsync(Alias("alias/app", other), Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Equal(key.Id, (await Store.GetAliasAsync(Account, Region, "alias/app", Ct))?.TargetKeyId);
    }

    [Fact]
    public async Task Creating_an_alias_of_a_key_that_does_not_exist_fails_with_NotFound()
    {
        var outcome = await Store.CreateAliasAsync(Alias("alias/app", NewKey()), Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Null(await Store.GetAliasAsync(Account, Region, "alias/app", Ct));
    }

    [Fact]
    public async Task Updating_an_alias_points_it_at_the_new_key_and_sets_its_update_time()
    {
        var key = await CreatedAsync();
        var other = await CreatedAsync();
        await Store.CreateAliasAsync(Alias("alias/app", key), Ct);

        var outcome = await Store.UpdateAliasAsync(Account, Region, "alias/app", other.Id, Now.AddHours(1), Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(new AliasRecord(Account, Region, "alias/app", other.Id, Now, Now.AddHours(1)), await Store.GetAliasAsync(Account, Region, "alias/app", Ct));
    }

    [Fact]
    public async Task Updating_an_alias_to_a_key_that_does_not_exist_fails_with_NotFound_and_keeps_its_target()
    {
        var key = await CreatedAsync();
        await Store.CreateAliasAsync(Alias("alias/app", key), Ct);

        var outcome = await Store.UpdateAliasAsync(Account, Region, "alias/app", KeyId.New(), Now.AddHours(1), Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Equal(Alias("alias/app", key), await Store.GetAliasAsync(Account, Region, "alias/app", Ct));
    }

    [Fact]
    public async Task Updating_an_alias_that_does_not_exist_fails_with_NotFound()
    {
        var key = await CreatedAsync();

        var outcome = await Store.UpdateAliasAsync(Account, Region, "alias/missing", key.Id, Now, Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Null(await Store.GetAliasAsync(Account, Region, "alias/missing", Ct));
    }

    [Fact]
    public async Task Deleting_an_alias_removes_it_and_deleting_it_again_fails_with_NotFound()
    {
        var key = await CreatedAsync();
        await Store.CreateAliasAsync(Alias("alias/app", key), Ct);

        var first = await Store.DeleteAliasAsync(Account, Region, "alias/app", Ct);
        var second = await Store.DeleteAliasAsync(Account, Region, "alias/app", Ct);

        Assert.Equal(StoreOutcome.Success, first);
        Assert.Equal(StoreOutcome.NotFound, second);
        Assert.Null(await Store.GetAliasAsync(Account, Region, "alias/app", Ct));
        Assert.NotNull(await Store.GetKeyAsync(key.Id, Ct));
    }

    [Fact]
    public async Task Aliases_are_listed_by_name_in_pages_whose_marker_is_the_last_name()
    {
        var key = await CreatedAsync();
        foreach (var name in new[] { "alias/d", "alias/b", "alias/e", "alias/a", "alias/c" })
        {
            await Store.CreateAliasAsync(Alias(name, key), Ct);
        }

        await Store.CreateAliasAsync(Alias("alias/other-account", key) with { AccountId = "444455556666" }, Ct);

        var first = await Store.ListAliasesAsync(Account, Region, null, 2, null, Ct);
        var second = await Store.ListAliasesAsync(Account, Region, null, 2, first.NextMarker, Ct);
        var third = await Store.ListAliasesAsync(Account, Region, null, 2, second.NextMarker, Ct);

        Assert.Equal(["alias/a", "alias/b"], first.Items.Select(a => a.Name));
        Assert.Equal("alias/b", first.NextMarker);
        Assert.Equal(["alias/c", "alias/d"], second.Items.Select(a => a.Name));
        Assert.Equal("alias/d", second.NextMarker);
        Assert.Equal(["alias/e"], third.Items.Select(a => a.Name));
        Assert.Null(third.NextMarker);
    }

    [Fact]
    public async Task Aliases_of_one_key_are_listed_when_a_key_is_given()
    {
        var key = await CreatedAsync();
        var other = await CreatedAsync();
        await Store.CreateAliasAsync(Alias("alias/a", key), Ct);
        await Store.CreateAliasAsync(Alias("alias/b", other), Ct);
        await Store.CreateAliasAsync(Alias("alias/c", key), Ct);

        var page = await Store.ListAliasesAsync(Account, Region, key.Id, 10, null, Ct);

        Assert.Equal(["alias/a", "alias/c"], page.Items.Select(a => a.Name));
        Assert.Null(page.NextMarker);
    }

    // Tags

    [Fact]
    public async Task Changing_tags_adds_overwrites_and_removes_in_one_call()
    {
        var key = await CreatedAsync(tags: [new Tag("keep", "1"), new Tag("overwrite", "old"), new Tag("remove", "x")]);

        var outcome = await Store.ChangeTagsAsync(key.Id, [new Tag("overwrite", "new"), new Tag("add", "")], ["remove", "absent"], Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal([new Tag("add", ""), new Tag("keep", "1"), new Tag("overwrite", "new")], await Store.ListTagsAsync(key.Id, Ct));
    }

    [Fact]
    public async Task Changing_tags_of_a_key_that_does_not_exist_fails_with_NotFound()
    {
        var id = KeyId.New();

        var outcome = await Store.ChangeTagsAsync(id, [new Tag("a", "b")], [], Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Empty(await Store.ListTagsAsync(id, Ct));
    }

    [Fact]
    public async Task Tags_are_kept_per_key()
    {
        var key = await CreatedAsync(tags: [new Tag("env", "prod")]);
        var other = await CreatedAsync(tags: [new Tag("env", "dev")]);

        await Store.ChangeTagsAsync(key.Id, [], ["env"], Ct);

        Assert.Empty(await Store.ListTagsAsync(key.Id, Ct));
        Assert.Equal([new Tag("env", "dev")], await Store.ListTagsAsync(other.Id, Ct));
    }
}
