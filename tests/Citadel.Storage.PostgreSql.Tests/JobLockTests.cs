namespace Citadel.Storage.PostgreSql.Tests;

[Trait("Issue", "9")]
public sealed class JobLockTests : PostgresTestBase
{
    [Fact]
    public async Task Of_two_nodes_only_the_first_to_try_holds_the_lock_and_keeps_it()
    {
        var first = NewJobLock("lock-1");
        var second = NewJobLock("lock-2");

        Assert.True(await first.TryHoldAsync(CancellationToken.None));
        Assert.False(await second.TryHoldAsync(CancellationToken.None));
        Assert.True(await first.TryHoldAsync(CancellationToken.None));
        Assert.False(await second.TryHoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task When_the_holder_stops_another_node_takes_the_lock()
    {
        var first = NewJobLock("lock-1");
        var second = NewJobLock("lock-2");
        Assert.True(await first.TryHoldAsync(CancellationToken.None));

        await first.DisposeAsync();

        Assert.True(await second.TryHoldAsync(CancellationToken.None));
        Assert.False(await first.TryHoldAsync(CancellationToken.None));
    }

    [Fact]
    public async Task When_the_holders_session_ends_it_notices_and_another_node_takes_the_lock()
    {
        var first = NewJobLock("lock-dies");
        var second = NewJobLock("lock-2");
        Assert.True(await first.TryHoldAsync(CancellationToken.None));

        await TerminateAsync("lock-dies");
        var secondTook = await second.TryHoldAsync(CancellationToken.None);
        var firstStill = await first.TryHoldAsync(CancellationToken.None);

        Assert.True(secondTook);
        Assert.False(firstStill);
    }
}
