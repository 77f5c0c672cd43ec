using System.Collections.Concurrent;
using Citadel.Storage.Cluster;
using Citadel.Tests.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Citadel.Storage.PostgreSql.Tests;

/// <summary>A fresh schema with its own notification channel, a migrated store on it, and helpers to run feeds and locks against it.</summary>
public abstract class PostgresTestBase : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];

    protected PostgresServer Server { get; private set; } = null!;

    protected string ConnectionString { get; private set; } = "";

    protected string Channel { get; } = "c_" + Guid.NewGuid().ToString("N");

    internal PostgreSqlStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.SharedAsync();
        ConnectionString = await Server.CreateSchemaAsync();
        Store = NewStore();
        await Store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _disposables.Reverse();
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>A store on this test's schema; <paramref name="connectionString"/> when the test needs its own settings on it.</summary>
    internal PostgreSqlStore NewStore(string? connectionString = null) => Track(new PostgreSqlStore(Track(NpgsqlDataSource.Create(connectionString ?? ConnectionString)), channel: Channel));

    /// <summary>An unpooled data source, as the feed and the job lock use, whose sessions are named <paramref name="applicationName"/>.</summary>
    internal NpgsqlDataSource Dedicated(string applicationName) =>
        Track(NpgsqlDataSource.Create(ConnectionString + $";Pooling=false;Application Name={applicationName}"));

    internal PostgreSqlJobLock NewJobLock(string applicationName) => Track(new PostgreSqlJobLock(Dedicated(applicationName), NullLogger.Instance));

    /// <summary>Starts a feed on its own session named <paramref name="applicationName"/>; stopped at the end of the test.</summary>
    internal RecordingSink StartFeed(string applicationName, TimeSpan checkInterval)
    {
        var sink = new RecordingSink();
        var feed = new PostgreSqlChangeFeed(Dedicated(applicationName), checkInterval, NullLogger.Instance, TimeProvider.System, Channel);
        var stop = new CancellationTokenSource();
        var running = feed.RunAsync(sink, stop.Token);
        _disposables.Add(new Stopper(stop, running));
        return sink;
    }

    /// <summary>Ends the sessions named <paramref name="applicationName"/>, as a network failure or a DBA would.</summary>
    protected async Task TerminateAsync(string applicationName) =>
        await Server.ScalarAsync("postgres", $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{applicationName}';");

    private T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    internal sealed class RecordingSink : IChangeSink
    {
        private readonly ConcurrentQueue<StoreChange> _changes = new();

        public IReadOnlyCollection<StoreChange> Changes => _changes;

        public void OnChange(StoreChange change) => _changes.Enqueue(change);

        public async Task<bool> WaitForAsync(Func<IReadOnlyCollection<StoreChange>, bool> condition, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition(_changes))
            {
                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(10);
            }

            return true;
        }

        public Task<bool> WaitForAsync(StoreChange change, TimeSpan timeout) => WaitForAsync(c => c.Contains(change), timeout);

        public void Clear() => _changes.Clear();
    }

    private sealed class Stopper(CancellationTokenSource stop, Task running) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            stop.Dispose();
        }
    }
}
