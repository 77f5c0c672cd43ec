namespace Citadel.Storage.Tests.StoreContract;

public abstract partial class StoreContractTests
{
    [Fact]
    [Trait("Issue", "16")]
    public async Task The_root_key_check_is_absent_at_first_then_stored_once_and_never_replaced()
    {
        var before = await Store.GetRootKeyCheckAsync(Ct);

        var first = await Store.PutRootKeyCheckAsync([1, 2, 3], Now, Ct);
        var second = await Store.PutRootKeyCheckAsync([4, 5, 6], Now, Ct);

        Assert.Null(before);
        Assert.Equal(StoreOutcome.Success, first);
        Assert.Equal(StoreOutcome.AlreadyExists, second);
        Assert.Equal([1, 2, 3], await Store.GetRootKeyCheckAsync(Ct));
    }
}
