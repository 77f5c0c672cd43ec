using System.Reflection;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Storage;

namespace Citadel.Server.Tests.Kms;

/// <summary>
/// The key repository: a write-through cache of keys. Writes go to the store first and are cached once it
/// accepted them; a store change (here, or on another node through the change feed) drops what it changed;
/// a read that raced with a change never caches what it read before it.
/// </summary>
[Trait("Issue", "18")]
public sealed class KeyRepositoryTests : IDisposable
{
    private readonly AesGcmSeal _seal = new(new byte[32]);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _seal.Dispose();

    [Fact]
    public async Task A_key_is_read_from_the_store_once_and_then_from_memory()
    {
        var key = TestKeys.Symmetric();
        var (repository, store) = Repository(key);

        var first = await repository.GetAsync(key.Id, Ct);
        var second = await repository.GetAsync(key.Id, Ct);

        Assert.Same(first, second);
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task A_created_key_is_read_from_memory_with_row_version_1()
    {
        var key = TestKeys.Symmetric();
        var (repository, store) = Repository();

        var outcome = await repository.CreateAsync(key, null, [], Ct);
        var read = await repository.GetAsync(key.Id, Ct);

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Equal(1, read!.RowVersion);
        Assert.Equal(0, store.Reads);
    }

    [Fact]
    public async Task An_update_is_written_to_the_store_and_the_next_read_sees_it_without_reading_the_store()
    {
        var key = TestKeys.Symmetric();
        var (repository, store) = Repository(key);
        var cached = (await repository.GetAsync(key.Id, Ct))!;

        var updated = await repository.UpdateAsync(cached, k => k with { Description = "changed" }, null, Ct);

        Assert.Equal("changed", (await repository.GetAsync(key.Id, Ct))!.Description);
        Assert.Equal("changed", store.Rows[key.Id].Description);
        Assert.Equal(2, updated.Value.RowVersion);
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task An_update_on_a_stale_record_is_decided_again_on_the_fresh_row_and_keeps_the_other_writer_s_change()
    {
        var key = TestKeys.Symmetric();
        var (repository, store) = Repository(key);
        var stale = (await repository.GetAsync(key.Id, Ct))!;
        store.Rows[key.Id] = stale with { Description = "other node", RowVersion = 2 };

        var updated = await repository.UpdateAsync(stale, k => k with { RotationEnabled = true }, null, Ct);

        Assert.Equal(("other node", true, 3L), (updated.Value.Description, updated.Value.RotationEnabled, updated.Value.RowVersion));
        Assert.Equal(updated.Value, store.Rows[key.Id]);
    }

    [Fact]
    public async Task A_change_another_node_made_is_read_again_once_the_change_feed_reports_it()
    {
        var key = TestKeys.Symmetric();
        var (repository, store) = Repository(key);
        await repository.GetAsync(key.Id, Ct);
        store.Rows[key.Id] = key with { State = KeyState.Disabled, RowVersion = 2 };

        repository.OnKeyChanged(key.Id);

        Assert.Equal(KeyState.Disabled, (await repository.GetAsync(key.Id, Ct))!.State);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task A_read_that_raced_with_a_change_returns_what_it_read_but_does_not_cache_it()
    {
        var key = TestKeys.Symmetric();
        var (repository, store) = Repository(key);
        var gate = new TaskCompletionSource();
        store.Gate = gate.Task;
        var racing = repository.GetAsync(key.Id, Ct).AsTask();
        await store.Entered.Task;

        store.Rows[key.Id] = key with { State = KeyState.Disabled, RowVersion = 2 };
        repository.OnKeyChanged(key.Id);
        store.Gate = null;
        gate.SetResult();

        Assert.Equal(KeyState.Enabled, (await racing)!.State);
        Assert.Equal(KeyState.Disabled, (await repository.GetAsync(key.Id, Ct))!.State);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task Concurrent_readers_of_a_cold_key_all_get_the_key()
    {
        var key = TestKeys.Symmetric();
        var (repository, _) = Repository(key);

        var reads = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => repository.GetAsync(key.Id, Ct).AsTask())));

        Assert.All(reads, read => Assert.Equal(key.Id, read!.Id));
        Assert.Same(await repository.GetAsync(key.Id, Ct), await repository.GetAsync(key.Id, Ct));
    }

    [Fact]
    public async Task A_deleted_key_is_gone_from_memory_and_a_reader_that_raced_with_the_delete_does_not_bring_it_back()
    {
        var key = TestKeys.Symmetric();
        var (repository, store) = Repository(key);
        var cached = (await repository.GetAsync(key.Id, Ct))!;
        var gate = new TaskCompletionSource();
        store.Gate = gate.Task;
        repository.OnKeyChanged(key.Id);
        var racing = repository.GetAsync(key.Id, Ct).AsTask();
        await store.Entered.Task;
        store.Gate = null;

        var outcome = await repository.DeleteAsync(cached, Ct);
        gate.SetResult();
        await racing;

        Assert.Equal(StoreOutcome.Success, outcome);
        Assert.Null(await repository.GetAsync(key.Id, Ct));
    }

    private (KeyRepository Repository, KeyStore Store) Repository(params KeyRecord[] keys)
    {
        var store = KeyStore.Create(keys);
        var options = new KmsOptions();
        return (new KeyRepository(store, new MaterialCache(store, _seal, options), options), (KeyStore)(object)store);
    }


    /// <summary>An IStore that keeps keys by id with row versions, as the SQL store does; a read can be held at a gate. Any other call is a test bug.</summary>
    public class KeyStore : DispatchProxy
    {
        public Dictionary<KeyId, KeyRecord> Rows { get; } = [];

        public int Reads { get; private set; }

        /// <summary>When set, a read takes its row, signals <see cref="Entered"/>, and answers once this completes.</summary>
        public Task? Gate { get; set; }

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static IStore Create(KeyRecord[] keys)
        {
            var store = DispatchProxy.Create<IStore, KeyStore>();
            foreach (var key in keys)
            {
                ((KeyStore)(object)store).Rows[key.Id] = key;
            }

            return store;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            nameof(IStore.GetKeyAsync) => ReadAsync((KeyId)args![0]!),
            nameof(IStore.CreateKeyAsync) => Task.FromResult(Create((KeyRecord)args![0]!)),
            nameof(IStore.UpdateKeyAsync) => Task.FromResult(Update((KeyRecord)args![0]!)),
            nameof(IStore.DeleteKeyAsync) => Task.FromResult(Rows.Remove(((KeyRecord)args![0]!).Id) ? StoreOutcome.Success : StoreOutcome.NotFound),
            _ => throw new NotSupportedException(targetMethod?.Name),
        };

        private async Task<KeyRecord?> ReadAsync(KeyId id)
        {
            Reads++;
            var row = Rows.GetValueOrDefault(id);
            if (Gate is { } gate)
            {
                Entered.TrySetResult();
                await gate;
            }

            return row;
        }

        private StoreOutcome Create(KeyRecord key) => Rows.TryAdd(key.Id, key with { RowVersion = 1 }) ? StoreOutcome.Success : StoreOutcome.AlreadyExists;

        private StoreOutcome Update(KeyRecord key)
        {
            if (!Rows.TryGetValue(key.Id, out var row))
            {
                return StoreOutcome.NotFound;
            }

            if (row.RowVersion != key.RowVersion)
            {
                return StoreOutcome.VersionConflict;
            }

            Rows[key.Id] = key with { RowVersion = key.RowVersion + 1 };
            return StoreOutcome.Success;
        }
    }
}
