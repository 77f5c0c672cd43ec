using System.Reflection;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Storage;
using Citadel.Storage.Cluster;

namespace Citadel.Server.Tests.Kms;

/// <summary>
/// The grant repository owns every grant write; the authorizer's cached grants follow it through the one invalidation
/// path, the invalidator the change feed also drives.
/// </summary>
[Trait("Issue", "18")]
public sealed class GrantRepositoryTests
{
    private static readonly KeyId Key = KeyId.New();

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task A_grant_created_through_the_repository_is_seen_by_the_authorizer_s_cache_at_once()
    {
        var store = GrantStore.Create();
        using var path = new ChangePath(store);
        var grants = new GrantRepository(store, path.Invalidator);
        Assert.Empty(await path.Grants.GetAsync(Key, Ct));

        var outcome = await grants.CreateAsync(Grant("g1"), Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(["g1"], (await path.Grants.GetAsync(Key, Ct)).Select(g => g.GrantId));
    }

    [Fact]
    public async Task A_grant_deleted_through_the_repository_no_longer_allows_anything_from_the_cache()
    {
        var store = GrantStore.Create(Grant("g1"));
        using var path = new ChangePath(store);
        var grants = new GrantRepository(store, path.Invalidator);
        Assert.Single(await path.Grants.GetAsync(Key, Ct));

        var outcome = await grants.DeleteAsync(Key, "g1", Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Empty(await path.Grants.GetAsync(Key, Ct));
    }

    [Fact]
    public async Task Deleting_a_grant_that_does_not_exist_is_NotFound_and_still_leaves_the_cache_current()
    {
        var store = GrantStore.Create();
        using var path = new ChangePath(store);
        var grants = new GrantRepository(store, path.Invalidator);
        await path.Grants.GetAsync(Key, Ct);
        ((GrantStore)(object)store).Rows.Add(Grant("g2"));

        var outcome = await grants.DeleteAsync(Key, "nope", Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Equal(["g2"], (await path.Grants.GetAsync(Key, Ct)).Select(g => g.GrantId));
    }

    [Fact]
    public async Task Every_grant_write_reports_the_change_the_change_feed_would_deliver_even_when_the_store_fails()
    {
        var store = GrantStore.Create();
        var sink = new RecordingSink();
        var grants = new GrantRepository(store, sink);

        await grants.CreateAsync(Grant("g1"), Ct);
        await grants.DeleteAsync(Key, "nope", Ct);
        ((GrantStore)(object)store).Fail = true;
        await Assert.ThrowsAsync<TimeoutException>(() => grants.CreateAsync(Grant("g2"), Ct));

        Assert.Equal([StoreChange.GrantsChanged(Key), StoreChange.GrantsChanged(Key), StoreChange.GrantsChanged(Key)], sink.Changes);
    }

    [Fact]
    public async Task A_grant_another_node_created_reaches_the_authorizer_s_cache_through_the_same_invalidator()
    {
        var store = GrantStore.Create();
        using var path = new ChangePath(store);
        Assert.Empty(await path.Grants.GetAsync(Key, Ct));
        ((GrantStore)(object)store).Rows.Add(Grant("g3"));

        path.Invalidator.OnChange(StoreChange.GrantsChanged(Key));

        Assert.Equal(["g3"], (await path.Grants.GetAsync(Key, Ct)).Select(g => g.GrantId));
    }

    private static GrantRecord Grant(string id) =>
        new(id, Key, "", "arn:aws:iam::111122223333:role/app", null, "111122223333", ["Encrypt"], null, DateTimeOffset.UnixEpoch);

    /// <summary>An IStore that keeps grants in a list; any other call is a test bug. With <see cref="Fail"/>, a write times out.</summary>
    public class GrantStore : DispatchProxy
    {
        public List<GrantRecord> Rows { get; } = [];

        public bool Fail { get; set; }

        public static IStore Create(params GrantRecord[] rows)
        {
            var store = DispatchProxy.Create<IStore, GrantStore>();
            ((GrantStore)(object)store).Rows.AddRange(rows);
            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IStore.ListGrantsAsync) => Task.FromResult<IReadOnlyList<GrantRecord>>(Rows.Where(g => g.KeyId == (KeyId)args![0]!).ToList()),
            nameof(IStore.CreateGrantAsync) => Fail ? Task.FromException<StoreOutcome>(new TimeoutException()) : Add((GrantRecord)args![0]!),
            nameof(IStore.DeleteGrantAsync) => Task.FromResult(Rows.RemoveAll(g => g.KeyId == (KeyId)args![0]! && g.GrantId == (string)args[1]!) > 0 ? StoreOutcome.Success : StoreOutcome.NotFound),
            _ => throw new NotSupportedException(targetMethod?.Name),
        };

        private Task<StoreOutcome> Add(GrantRecord grant)
        {
            Rows.Add(grant);
            return Task.FromResult(StoreOutcome.Success);
        }
    }
}
