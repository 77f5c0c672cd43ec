using System.Reflection;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Storage;

namespace Citadel.Server.Tests.Kms;

/// <summary>The grant repository owns every grant write and the invalidation of the authorizer's cached grants that goes with it.</summary>
public sealed class GrantRepositoryTests
{
    private static readonly KeyId Key = KeyId.New();

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task A_grant_created_through_the_repository_is_seen_by_the_authorizer_s_cache_at_once()
    {
        var store = GrantStore.Create();
        var cache = new GrantDirectory(store);
        var grants = new GrantRepository(store, cache);
        Assert.Empty(await cache.GetAsync(Key, Ct));

        var outcome = await grants.CreateAsync(Grant("g1"), Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(["g1"], (await cache.GetAsync(Key, Ct)).Select(g => g.GrantId));
    }

    [Fact]
    public async Task A_grant_deleted_through_the_repository_no_longer_allows_anything_from_the_cache()
    {
        var store = GrantStore.Create(Grant("g1"));
        var cache = new GrantDirectory(store);
        var grants = new GrantRepository(store, cache);
        Assert.Single(await cache.GetAsync(Key, Ct));

        var outcome = await grants.DeleteAsync(Key, "g1", Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Empty(await cache.GetAsync(Key, Ct));
    }

    [Fact]
    public async Task Deleting_a_grant_that_does_not_exist_is_NotFound_and_still_leaves_the_cache_current()
    {
        var store = GrantStore.Create();
        var cache = new GrantDirectory(store);
        var grants = new GrantRepository(store, cache);
        await cache.GetAsync(Key, Ct);
        ((GrantStore)(object)store).Rows.Add(Grant("g2"));

        var outcome = await grants.DeleteAsync(Key, "nope", Ct);

        Assert.Equal(StoreOutcome.NotFound, outcome);
        Assert.Equal(["g2"], (await cache.GetAsync(Key, Ct)).Select(g => g.GrantId));
    }

    private static GrantRecord Grant(string id) =>
        new(id, Key, "", "arn:aws:iam::111122223333:role/app", null, "111122223333", ["Encrypt"], null, DateTimeOffset.UnixEpoch);

    /// <summary>An IStore that keeps grants in a list; any other call is a test bug.</summary>
    public class GrantStore : DispatchProxy
    {
        public List<GrantRecord> Rows { get; } = [];

        public static IStore Create(params GrantRecord[] rows)
        {
            var store = DispatchProxy.Create<IStore, GrantStore>();
            ((GrantStore)(object)store).Rows.AddRange(rows);
            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IStore.ListGrantsAsync) => Task.FromResult<IReadOnlyList<GrantRecord>>(Rows.Where(g => g.KeyId == (KeyId)args![0]!).ToList()),
            nameof(IStore.CreateGrantAsync) => Add((GrantRecord)args![0]!),
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
