using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.PostgreSql.Tests;

[Trait("Issue", "9")]
public sealed class ChangeFeedTests : PostgresTestBase
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static KeyRecord NewKey() => new()
    {
        Id = KeyId.New(),
        AccountId = "111122223333",
        Region = "us-east-1",
        CreatedAt = Now,
        State = KeyState.Enabled,
        Policy = "{}",
        CurrentKeyMaterialId = new string('a', 64),
    };

    [Fact]
    public async Task A_new_listener_is_told_to_drop_everything_first()
    {
        var sink = StartFeed("feed", TimeSpan.FromSeconds(1));

        Assert.True(await sink.WaitForAsync(StoreChange.Everything, Soon));
    }

    [Fact]
    public async Task Each_committed_change_reaches_the_listener_with_what_it_touched()
    {
        var sink = StartFeed("feed", TimeSpan.FromSeconds(1));
        Assert.True(await sink.WaitForAsync(StoreChange.Everything, Soon));
        var key = NewKey();
        var ct = CancellationToken.None;

        await Store.CreateKeyAsync(key, null, [], ct);
        await Store.UpdateKeyAsync(key with { RowVersion = 1, State = KeyState.Disabled }, null, ct);
        await Store.ChangeTagsAsync(key.Id, [new Tag("a", "b")], [], ct);
        await Store.CreateGrantAsync(new GrantRecord("g", key.Id, "n", "arn:aws:iam::111122223333:root", null, "111122223333", ["Encrypt"], null, Now), ct);
        await Store.CreateAliasAsync(new AliasRecord("111122223333", "us-east-1", "alias/x", key.Id, Now, Now), ct);
        await Store.CreateAccountAsync("111122223333", Now, ct);
        await Store.DeleteKeyAsync(key with { RowVersion = 2 }, ct);
        await Store.DeleteAllKeysAsync(ct);

        StoreChange[] expected =
        [
            StoreChange.KeyChanged(key.Id), StoreChange.TagsChanged(key.Id), StoreChange.GrantsChanged(key.Id),
            StoreChange.AliasChanged("111122223333", "us-east-1", "alias/x"), StoreChange.Identities, StoreChange.KeyDeleted(key.Id), StoreChange.AllKeys,
        ];
        Assert.True(await sink.WaitForAsync(c => expected.All(c.Contains), Soon), string.Join(", ", sink.Changes));
    }

    [Fact]
    public async Task A_refused_change_sends_nothing()
    {
        var key = NewKey();
        await Store.CreateKeyAsync(key, null, [], CancellationToken.None);
        var sink = StartFeed("feed", TimeSpan.FromSeconds(1));
        Assert.True(await sink.WaitForAsync(StoreChange.Everything, Soon));
        sink.Clear();

        Assert.Equal(StoreOutcome.AlreadyExists, await Store.CreateKeyAsync(key, null, [], CancellationToken.None));
        Assert.Equal(StoreOutcome.VersionConflict, await Store.UpdateKeyAsync(key with { RowVersion = 7 }, null, CancellationToken.None));
        await Store.CreateAccountAsync("111122223333", Now, CancellationToken.None);

        Assert.True(await sink.WaitForAsync(StoreChange.Identities, Soon));
        Assert.Equal([StoreChange.Identities], sink.Changes);
    }

    [Fact]
    public async Task A_change_whose_notification_was_lost_makes_the_listener_drop_everything_within_two_checks()
    {
        var sink = StartFeed("feed", TimeSpan.FromMilliseconds(200));
        Assert.True(await sink.WaitForAsync(StoreChange.Everything, Soon));
        sink.Clear();

        // A change counted but never notified: what a lost notification looks like to a node.
        await Server.ScalarAsync("postgres", $"SET search_path = {SchemaOf(ConnectionString)}; SELECT nextval('change_sequence');");

        Assert.True(await sink.WaitForAsync(StoreChange.Everything, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_listener_whose_session_ends_reconnects_drops_everything_and_hears_later_changes()
    {
        var sink = StartFeed("feed-reconnect", TimeSpan.FromMilliseconds(200));
        Assert.True(await sink.WaitForAsync(StoreChange.Everything, Soon));
        sink.Clear();

        await TerminateAsync("feed-reconnect");
        Assert.True(await sink.WaitForAsync(StoreChange.Everything, Soon));
        var key = NewKey();
        await Store.CreateKeyAsync(key, null, [], CancellationToken.None);

        Assert.True(await sink.WaitForAsync(StoreChange.KeyChanged(key.Id), Soon));
    }

    [Fact]
    public async Task Notifications_are_not_missed_under_a_burst_of_changes_from_several_writers()
    {
        var sink = StartFeed("feed", TimeSpan.FromMilliseconds(200));
        Assert.True(await sink.WaitForAsync(StoreChange.Everything, Soon));
        sink.Clear();
        var stores = new[] { NewStore(), NewStore(), NewStore() };

        var keys = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            var key = NewKey();
            await stores[i % 3].CreateKeyAsync(key, null, [], CancellationToken.None);
            return key.Id;
        }));

        Assert.True(await sink.WaitForAsync(c => keys.All(k => c.Contains(StoreChange.KeyChanged(k))), Soon));
        await Task.Delay(600);
        Assert.DoesNotContain(StoreChange.Everything, sink.Changes);
    }

    private static string SchemaOf(string connectionString) => connectionString[(connectionString.LastIndexOf('=') + 1)..];
}
