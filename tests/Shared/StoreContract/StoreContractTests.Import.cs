using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The store contract for imported key material: material versions changed with their key, and expiry.</summary>
public abstract partial class StoreContractTests
{
    private static KeyMaterialRecord ImportedMaterial(KeyRecord key, int version, DateTimeOffset? validTo) =>
        Material(key, version) with
        {
            ImportState = MaterialImportState.Imported,
            ExpirationModel = validTo is null ? ExpirationModel.KeyMaterialDoesNotExpire : ExpirationModel.KeyMaterialExpires,
            ValidTo = validTo,
            Description = "material " + version,
            RotatedAt = Now.AddHours(version),
        };

    [Fact]
    public async Task Imported_material_is_read_back_with_every_import_field()
    {
        var key = NewKey() with { Origin = KeyOrigin.External, State = KeyState.Enabled };
        var material = ImportedMaterial(key, 1, Now.AddDays(3));

        Assert.Equal(StoreOutcome.Success, await Store.CreateKeyAsync(key, material, [], Ct));

        var stored = await Store.GetMaterialAsync(key.Id, 1, Ct);
        Assert.NotNull(stored);
        Assert.Equal(material, stored with { EncryptedMaterial = material.EncryptedMaterial });
        Assert.Equal(material.EncryptedMaterial, stored.EncryptedMaterial);
    }

    [Fact]
    public async Task UpdateKeyMaterials_changes_the_key_replaces_and_removes_versions_in_one_transaction()
    {
        var key = NewKey() with { Origin = KeyOrigin.External };
        await Store.CreateKeyAsync(key, ImportedMaterial(key, 1, null), [], Ct);
        await Store.UpdateKeyAsync((await Store.GetKeyAsync(key.Id, Ct))!, ImportedMaterial(key, 2, null), Ct);
        var current = (await Store.GetKeyAsync(key.Id, Ct))!;
        var deleted = ImportedMaterial(key, 1, null) with { EncryptedMaterial = [], ImportState = MaterialImportState.PendingImport, ExpirationModel = null };

        var outcome = await Store.UpdateKeyMaterialsAsync(current with { State = KeyState.PendingImport }, [deleted], [2], Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(KeyState.PendingImport, (await Store.GetKeyAsync(key.Id, Ct))!.State);
        var versions = await Store.ListMaterialsAsync(key.Id, Ct);
        var only = Assert.Single(versions);
        Assert.Equal(MaterialImportState.PendingImport, only.ImportState);
        Assert.Empty(only.EncryptedMaterial);
        Assert.Null(only.ExpirationModel);
    }

    [Fact]
    public async Task UpdateKeyMaterials_with_a_stale_row_version_changes_nothing()
    {
        var key = NewKey() with { Origin = KeyOrigin.External };
        await Store.CreateKeyAsync(key, ImportedMaterial(key, 1, null), [], Ct);
        var current = (await Store.GetKeyAsync(key.Id, Ct))!;
        await Store.UpdateKeyAsync(current with { Description = "changed" }, null, Ct);

        var outcome = await Store.UpdateKeyMaterialsAsync(current with { State = KeyState.PendingImport }, [ImportedMaterial(key, 2, null)], [1], Ct);

        Assert.Equal(StoreOutcome.VersionConflict, outcome);
        Assert.Equal([1], (await Store.ListMaterialsAsync(key.Id, Ct)).Select(m => m.Version));
        Assert.Equal(KeyState.Enabled, (await Store.GetKeyAsync(key.Id, Ct))!.State);
    }

    [Fact]
    public async Task UpdateKeyMaterials_of_an_unknown_key_is_NotFound()
    {
        var key = NewKey();

        Assert.Equal(StoreOutcome.NotFound, await Store.UpdateKeyMaterialsAsync(key, [], [], Ct));
    }

    [Fact]
    public async Task Materials_due_for_expiry_are_the_imported_ones_whose_ValidTo_has_passed_earliest_first()
    {
        var a = NewKey() with { Origin = KeyOrigin.External };
        var b = NewKey() with { Origin = KeyOrigin.External };
        var c = NewKey() with { Origin = KeyOrigin.External };
        await Store.CreateKeyAsync(a, ImportedMaterial(a, 1, Now.AddHours(2)), [], Ct);
        await Store.CreateKeyAsync(b, ImportedMaterial(b, 1, Now.AddHours(1)), [], Ct);
        await Store.CreateKeyAsync(c, ImportedMaterial(c, 1, Now.AddHours(5)), [], Ct);
        await Store.CreateKeyAsync(NewKey(), Material(NewKey(), 1), [], Ct);

        var due = await Store.ListMaterialsDueForExpiryAsync(Now.AddHours(3), 10, Ct);

        Assert.Equal([b.Id, a.Id], due.Select(m => m.KeyId));
    }
}
