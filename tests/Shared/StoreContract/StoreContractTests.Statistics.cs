using Citadel.Core.Keys;

namespace Citadel.Storage.Tests.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    [Trait("Issue", "22")]
    public async Task Key_counts_group_every_account_and_region_by_state_and_manager()
    {
        var statistics = (IStoreStatistics)Store;
        var empty = await statistics.CountKeysAsync(Ct);
        await CreatedAsync();
        await CreatedAsync(NewKey(account: "444455556666", region: "eu-west-1"));
        await CreatedAsync(NewKey() with { State = KeyState.Disabled });
        await CreatedAsync(NewKey() with { Manager = KeyManager.Aws });

        var counts = await statistics.CountKeysAsync(Ct);

        Assert.Empty(empty);
        Assert.Equal(
            [new KeyCount(KeyState.Enabled, KeyManager.Customer, 2), new KeyCount(KeyState.Enabled, KeyManager.Aws, 1), new KeyCount(KeyState.Disabled, KeyManager.Customer, 1)],
            counts);
    }
}
