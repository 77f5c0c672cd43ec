using Citadel.Core.CustomKeyStores;
using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

/// <summary>The store contract for custom key stores and the keys bound to external key stores.</summary>
public abstract partial class StoreContractTests
{
    private static CustomKeyStoreRecord ExternalStore(string id, string name, string path = "/kms/xks/v1", string account = Account) => new()
    {
        Id = id,
        AccountId = account,
        Region = Region,
        Name = name,
        CreatedAt = Now,
        Connectivity = XksProxyConnectivity.PublicEndpoint,
        UriEndpoint = "https://xks.example.com",
        UriPath = path,
        AccessKeyId = "ABCDEFGHIJKLMNOPQRST",
        SealedSecret = [9, 8, 7],
    };

    [Fact]
    public async Task A_custom_key_store_is_read_back_as_written_and_listed_by_account_and_region_in_id_order()
    {
        var second = ExternalStore("cks-00000000000000002", "second", "/b/kms/xks/v1");
        var first = ExternalStore("cks-00000000000000001", "first", "/a/kms/xks/v1");
        var otherAccount = ExternalStore("cks-00000000000000003", "first", "/a/kms/xks/v1", account: "444455556666");

        Assert.Equal(StoreOutcome.Success, await Store.CreateCustomKeyStoreAsync(second, Ct));
        Assert.Equal(StoreOutcome.Success, await Store.CreateCustomKeyStoreAsync(first, Ct));
        Assert.Equal(StoreOutcome.Success, await Store.CreateCustomKeyStoreAsync(otherAccount, Ct));

        Assert.Equal(first with { RowVersion = 1 }, await Store.GetCustomKeyStoreAsync(first.Id, Ct), CustomKeyStoreComparer.Instance);
        var listed = await Store.ListCustomKeyStoresAsync(Account, Region, Ct);
        Assert.Equal(["cks-00000000000000001", "cks-00000000000000002"], listed.Select(s => s.Id));
        Assert.Null(await Store.GetCustomKeyStoreAsync("cks-ffffffffffffffff0", Ct));
    }

    [Fact]
    public async Task A_custom_key_store_name_or_proxy_address_taken_in_the_account_and_region_is_AlreadyExists()
    {
        await Store.CreateCustomKeyStoreAsync(ExternalStore("cks-00000000000000001", "one", "/one/kms/xks/v1"), Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, await Store.CreateCustomKeyStoreAsync(ExternalStore("cks-00000000000000002", "one", "/two/kms/xks/v1"), Ct));
        Assert.Equal(StoreOutcome.AlreadyExists, await Store.CreateCustomKeyStoreAsync(ExternalStore("cks-00000000000000003", "three", "/one/kms/xks/v1"), Ct));
        Assert.Single(await Store.ListCustomKeyStoresAsync(Account, Region, Ct));
    }

    [Fact]
    public async Task A_custom_key_store_update_with_a_stale_row_version_is_a_VersionConflict_and_changes_nothing()
    {
        var store = ExternalStore("cks-00000000000000001", "one");
        await Store.CreateCustomKeyStoreAsync(store, Ct);
        var read = (await Store.GetCustomKeyStoreAsync(store.Id, Ct))!;

        var connected = read with { State = KeyStoreConnectionState.Failed, ErrorCode = ConnectionErrorCode.XksProxyTimedOut };
        Assert.Equal(StoreOutcome.Success, await Store.UpdateCustomKeyStoreAsync(connected, Ct));
        Assert.Equal(StoreOutcome.VersionConflict, await Store.UpdateCustomKeyStoreAsync(read with { Name = "stale" }, Ct));
        Assert.Equal(StoreOutcome.NotFound, await Store.UpdateCustomKeyStoreAsync(read with { Id = "cks-ffffffffffffffff0" }, Ct));

        var now = (await Store.GetCustomKeyStoreAsync(store.Id, Ct))!;
        Assert.Equal(("one", KeyStoreConnectionState.Failed, ConnectionErrorCode.XksProxyTimedOut, 2L), (now.Name, now.State, now.ErrorCode, now.RowVersion));
    }

    [Fact]
    public async Task A_custom_key_store_that_holds_a_key_is_InUse_until_the_key_is_deleted()
    {
        var store = ExternalStore("cks-00000000000000001", "one");
        await Store.CreateCustomKeyStoreAsync(store, Ct);
        var key = NewKey() with { Origin = KeyOrigin.ExternalKeyStore };
        var binding = new XksKeyBinding(key.Id, store.Id, "external-1");
        Assert.Equal(StoreOutcome.Success, await Store.CreateExternalStoreKeyAsync(key, Material(key, 1), [new Tag("a", "b")], binding, Ct));

        Assert.Equal(binding, await Store.GetXksKeyBindingAsync(key.Id, Ct));
        Assert.Equal(StoreOutcome.InUse, await Store.DeleteCustomKeyStoreAsync(store.Id, Ct));
        Assert.Equal(StoreOutcome.Success, await Store.DeleteKeyAsync((await Store.GetKeyAsync(key.Id, Ct))!, Ct));
        Assert.Null(await Store.GetXksKeyBindingAsync(key.Id, Ct));
        Assert.Equal(StoreOutcome.Success, await Store.DeleteCustomKeyStoreAsync(store.Id, Ct));
        Assert.Equal(StoreOutcome.NotFound, await Store.DeleteCustomKeyStoreAsync(store.Id, Ct));
    }

    [Fact]
    public async Task An_external_key_already_bound_in_the_store_is_AlreadyExists_and_no_key_is_created()
    {
        var store = ExternalStore("cks-00000000000000001", "one");
        await Store.CreateCustomKeyStoreAsync(store, Ct);
        var first = NewKey() with { Origin = KeyOrigin.ExternalKeyStore };
        await Store.CreateExternalStoreKeyAsync(first, Material(first, 1), [], new XksKeyBinding(first.Id, store.Id, "external-1"), Ct);
        var second = NewKey() with { Origin = KeyOrigin.ExternalKeyStore };

        var outcome = await Store.CreateExternalStoreKeyAsync(second, Material(second, 1), [], new XksKeyBinding(second.Id, store.Id, "external-1"), Ct);

        Assert.Equal(StoreOutcome.AlreadyExists, outcome);
        Assert.Null(await Store.GetKeyAsync(second.Id, Ct));
        Assert.Null(await Store.GetXksKeyBindingAsync(second.Id, Ct));
        Assert.Null(await Store.GetXksKeyBindingAsync(NewKey().Id, Ct));
    }

    [Fact]
    public async Task A_custom_key_stores_sealed_secret_is_listed_for_rekey_and_replaced_only_if_unchanged()
    {
        await Store.CreateCustomKeyStoreAsync(ExternalStore("cks-00000000000000002", "two", "/b/kms/xks/v1"), Ct);
        await Store.CreateCustomKeyStoreAsync(ExternalStore("cks-00000000000000001", "one", "/a/kms/xks/v1"), Ct);

        var first = await Store.ListSealedSecretsAsync(SealedSecretKind.XksProxySecret, null, 0, 1, Ct);
        var rest = await Store.ListSealedSecretsAsync(SealedSecretKind.XksProxySecret, first[^1].Id, 0, 10, Ct);
        var replaced = await Store.ReplaceSealedSecretAsync(first[0], [1, 1], Ct);
        var stale = await Store.ReplaceSealedSecretAsync(first[0], [2, 2], Ct);

        Assert.Equal(
            [("cks-00000000000000001", "cks-00000000000000001"), ("cks-00000000000000002", "cks-00000000000000002")],
            first.Concat(rest).Select(s => (s.Id, s.Binding)));
        Assert.Equal([9, 8, 7], first[0].Sealed);
        Assert.Equal((StoreOutcome.Success, StoreOutcome.VersionConflict), (replaced, stale));
        Assert.Equal([1, 1], (await Store.GetCustomKeyStoreAsync("cks-00000000000000001", Ct))!.SealedSecret);
    }

    /// <summary>Records compare their byte arrays by reference; this compares the sealed secret by content.</summary>
    private sealed class CustomKeyStoreComparer : IEqualityComparer<CustomKeyStoreRecord?>
    {
        public static readonly CustomKeyStoreComparer Instance = new();

        public bool Equals(CustomKeyStoreRecord? x, CustomKeyStoreRecord? y) =>
            x is not null && y is not null && x.SealedSecret.AsSpan().SequenceEqual(y.SealedSecret) && x with { SealedSecret = [] } == y with { SealedSecret = [] };

        public int GetHashCode(CustomKeyStoreRecord? obj) => 0;
    }
}
