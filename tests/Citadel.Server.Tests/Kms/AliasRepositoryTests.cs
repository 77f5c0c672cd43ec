using System.Reflection;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Storage;
using Citadel.Storage.Cluster;

namespace Citadel.Server.Tests.Kms;

/// <summary>
/// The alias repository owns every alias write; the key repository's cached aliases (what resolves alias/… in a request)
/// follow it through the one invalidation path, the invalidator the change feed also drives.
/// </summary>
[Trait("Issue", "18")]
public sealed class AliasRepositoryTests
{
    private const string Account = "111122223333";
    private const string Region = "us-east-1";
    private const string Name = "alias/app";

    private static readonly KeyId First = KeyId.New();
    private static readonly KeyId Second = KeyId.New();

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task An_alias_pointed_elsewhere_through_the_repository_resolves_to_its_new_key_at_once()
    {
        var store = AliasStore.Create(Alias(First));
        using var path = new ChangePath(store);
        var aliases = new AliasRepository(store, path.Invalidator);
        Assert.Equal(First, (await path.Keys.GetAliasAsync(Account, Region, Name, Ct))!.TargetKeyId);

        var outcome = await aliases.UpdateAsync(Account, Region, Name, Second, DateTimeOffset.UnixEpoch, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(Second, (await path.Keys.GetAliasAsync(Account, Region, Name, Ct))!.TargetKeyId);
    }

    [Fact]
    public async Task An_alias_deleted_through_the_repository_no_longer_resolves_from_the_cache()
    {
        var store = AliasStore.Create(Alias(First));
        using var path = new ChangePath(store);
        var aliases = new AliasRepository(store, path.Invalidator);
        Assert.NotNull(await path.Keys.GetAliasAsync(Account, Region, Name, Ct));

        var outcome = await aliases.DeleteAsync(Account, Region, Name, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Null(await path.Keys.GetAliasAsync(Account, Region, Name, Ct));
    }

    [Fact]
    public async Task Every_alias_write_reports_the_change_the_change_feed_would_deliver_even_when_the_store_fails()
    {
        var store = AliasStore.Create();
        var sink = new RecordingSink();
        var aliases = new AliasRepository(store, sink);

        await aliases.CreateAsync(Alias(First), Ct);
        await aliases.CreateAsync(Alias(Second), Ct);
        await aliases.UpdateAsync(Account, Region, Name, Second, DateTimeOffset.UnixEpoch, Ct);
        ((AliasStore)(object)store).Fail = true;
        await Assert.ThrowsAsync<TimeoutException>(() => aliases.DeleteAsync(Account, Region, Name, Ct));

        var change = StoreChange.AliasChanged(Account, Region, Name);
        Assert.Equal([change, change, change, change], sink.Changes);
    }

    [Fact]
    public async Task An_alias_another_node_pointed_elsewhere_resolves_to_its_new_key_through_the_same_invalidator()
    {
        var store = AliasStore.Create(Alias(First));
        using var path = new ChangePath(store);
        await path.Keys.GetAliasAsync(Account, Region, Name, Ct);
        ((AliasStore)(object)store).Rows[0] = Alias(Second);

        path.Invalidator.OnChange(StoreChange.AliasChanged(Account, Region, Name));

        Assert.Equal(Second, (await path.Keys.GetAliasAsync(Account, Region, Name, Ct))!.TargetKeyId);
    }

    private static AliasRecord Alias(KeyId target) => new(Account, Region, Name, target, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    /// <summary>An IStore that keeps aliases in a list; any other call is a test bug. With <see cref="Fail"/>, a write times out.</summary>
    public class AliasStore : DispatchProxy
    {
        public List<AliasRecord> Rows { get; } = [];

        public bool Fail { get; set; }

        public static IStore Create(params AliasRecord[] rows)
        {
            var store = DispatchProxy.Create<IStore, AliasStore>();
            ((AliasStore)(object)store).Rows.AddRange(rows);
            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (Fail)
            {
                return Task.FromException<StoreOutcome>(new TimeoutException());
            }

            return targetMethod?.Name switch
            {
                nameof(IStore.GetAliasAsync) => Task.FromResult(Find((string)args![2]!)),
                nameof(IStore.CreateAliasAsync) => Create((AliasRecord)args![0]!),
                nameof(IStore.UpdateAliasAsync) => Update((string)args![2]!, (KeyId)args[3]!),
                nameof(IStore.DeleteAliasAsync) => Task.FromResult(Rows.RemoveAll(a => a.Name == (string)args![2]!) > 0 ? StoreOutcome.Success : StoreOutcome.NotFound),
                _ => throw new NotSupportedException(targetMethod?.Name),
            };
        }

        private AliasRecord? Find(string name) => Rows.FirstOrDefault(a => a.Name == name);

        private Task<StoreOutcome> Create(AliasRecord alias)
        {
            if (Find(alias.Name) is not null)
            {
                return Task.FromResult(StoreOutcome.AlreadyExists);
            }

            Rows.Add(alias);
            return Task.FromResult(StoreOutcome.Success);
        }

        private Task<StoreOutcome> Update(string name, KeyId target)
        {
            var index = Rows.FindIndex(a => a.Name == name);
            if (index < 0)
            {
                return Task.FromResult(StoreOutcome.NotFound);
            }

            Rows[index] = Rows[index] with { TargetKeyId = target };
            return Task.FromResult(StoreOutcome.Success);
        }
    }
}
