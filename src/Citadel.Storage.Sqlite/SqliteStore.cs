using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using Citadel.Storage.Cluster;
using Citadel.Storage.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Citadel.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite database in WAL mode; the SQLite dialect of <see cref="SqlStore"/>.
/// Writers are serialized in-process (SQLite has one writer anyway), so transactions never wait on
/// SQLITE_BUSY from each other. Times are Unix milliseconds, booleans 0 and 1, lists comma-joined
/// text, and the schema has no foreign keys (the store removes a key's children itself).
/// </summary>
internal sealed partial class SqliteStore : SqlStore
{
    private static readonly ConcurrentDictionary<string, string> PrefixedNames = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly string _synchronous;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Reused by every write (they are serialized): SQLite has no change feed, so what a write records is dropped.</summary>
    private readonly List<StoreChange> _changes = [];
    private SqliteConnection? _writer;
    private SqliteConnection? _derivedWriter;
    private readonly JournalSegments _segments;

    public SqliteStore(string databasePath, bool durableSync = true)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _synchronous = durableSync ? "FULL" : "NORMAL";
        _segments = new JournalSegments(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
    }

    public override Task MigrateAsync(CancellationToken ct) => MigrateAsync(int.MaxValue, ct);

    /// <summary>Applies the migrations up to <paramref name="throughVersion"/> (tests make a database as an older version left it).</summary>
    internal async Task MigrateAsync(int throughVersion, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", ct);
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL);", ct);
        await _writeLock.WaitAsync(ct);
        try
        {
            await using (var newest = Command(connection, null, "SELECT MAX(version) FROM schema_version;"))
            {
                if (await newest.ExecuteScalarAsync(ct) is long applied)
                {
                    Migration.RefuseNewer((int)applied, SqliteMigrations.All);
                }
            }

            foreach (var migration in SqliteMigrations.All.Where(m => m.Version <= throughVersion))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var check = Command(connection, tx, "SELECT COUNT(*) FROM schema_version WHERE version = @v;"))
                {
                    Add(check, "v", migration.Version);
                    if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0)
                    {
                        continue;
                    }
                }

                await ExecuteAsync(connection, tx, migration.Sql, ct);
                await using (var record = Command(connection, tx, "INSERT INTO schema_version (version, description, applied_at) VALUES (@v, @d, @t);"))
                {
                    Add(record, "v", migration.Version);
                    Add(record, "d", migration.Description);
                    Add(record, "t", Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                    await record.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        // Checkpoint so the WAL does not grow across restarts; pooled connections close with the pool.
        try
        {
            await using var connection = await OpenAsync(CancellationToken.None);
            await ExecuteAsync(connection, null, "PRAGMA wal_checkpoint(TRUNCATE);", CancellationToken.None);
        }
        catch (SqliteException)
        {
            // Best effort: the WAL is replayed on the next open anyway.
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        if (_derivedWriter is not null)
        {
            await _derivedWriter.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _writeLock.Dispose();
        _segments.Dispose();
    }

    // The dialect.

    protected override async ValueTask<DbConnection> OpenReadAsync(CancellationToken ct) => await OpenAsync(ct);

    /// <summary>
    /// Runs <paramref name="work"/> in one IMMEDIATE transaction under the write lock. A
    /// <paramref name="derived"/> write (the audit trail derived from the journal) runs on a
    /// connection of its own with synchronous=NORMAL: in WAL mode its commit is not synced, the
    /// database stays consistent after a crash, and the next FULL commit or checkpoint makes it durable.
    /// </summary>
    protected override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, List<StoreChange>, Task<T>> work, bool derived, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            // Writes are serialized by the lock, so one connection serves them all: no open and
            // pragmas per transaction (the audit writer commits many small batches).
            var connection = derived ? _derivedWriter ??= await OpenDerivedWriterAsync(ct) : _writer ??= await OpenWriterAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            _changes.Clear();
            T outcome;
            try
            {
                outcome = await work(connection, tx, _changes);
            }
            catch (SqliteException exception) when (typeof(T) == typeof(StoreOutcome) && OutcomeOf(exception) is { } mapped)
            {
                await tx.RollbackAsync(ct);
                return (T)(object)mapped;
            }

            if (outcome is StoreOutcome and not StoreOutcome.Success)
            {
                await tx.RollbackAsync(ct);
            }
            else
            {
                await tx.CommitAsync(ct);
            }

            return outcome;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>A constraint the contract names (SQLite's extended result codes).</summary>
    private static StoreOutcome? OutcomeOf(SqliteException exception) => exception.SqliteExtendedErrorCode switch
    {
        raw.SQLITE_CONSTRAINT_PRIMARYKEY or raw.SQLITE_CONSTRAINT_UNIQUE => StoreOutcome.AlreadyExists,
        raw.SQLITE_CONSTRAINT_FOREIGNKEY => StoreOutcome.NotFound,
        _ => null,
    };

    protected override void AddTime(DbCommand command, string name, DateTimeOffset? time) =>
        Add(command, name, time?.ToUnixTimeMilliseconds(), DbType.Int64);

    protected override DateTimeOffset GetTime(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    protected override void AddStringList(DbCommand command, string name, IReadOnlyList<string> values) => Add(command, name, string.Join(',', values));

    protected override string[] GetStringList(DbDataReader reader, int ordinal) => reader.GetString(ordinal).Split(',', StringSplitOptions.RemoveEmptyEntries);

    protected override void AddJson(DbCommand command, string name, string? json) => Add(command, name, json, DbType.String);

    protected override string TrueLiteral => "1";

    /// <summary>
    /// Microsoft.Data.Sqlite matches a name without its prefix by trying "@", "$" and ":" before it,
    /// building each string per bind; named with the prefix, a parameter is found at once.
    /// </summary>
    protected override string ParameterName(string name) => PrefixedNames.GetOrAdd(name, static n => "@" + n);

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, null, $"PRAGMA synchronous={_synchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;", ct);
        return connection;
    }

    /// <summary>
    /// The writer's connection keeps 32 MB of pages (SQLite's default is 2 MB): every audit event
    /// writes the table and its indexes, and re-reading their pages from the OS (pread) showed in
    /// profiles of the server under Encrypt load (measured while the event ids were random and the
    /// resource index was by (resource, time), both since made to grow in time order).
    /// </summary>
    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA cache_size=-32768;", ct);
        return connection;
    }

    private async Task<SqliteConnection> OpenDerivedWriterAsync(CancellationToken ct)
    {
        var connection = await OpenWriterAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA synchronous=NORMAL;", ct);
        return connection;
    }
}
