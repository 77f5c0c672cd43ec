using System.Data;
using System.Data.Common;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.Sql;

/// <summary>
/// The one SQL store: every query, binding and row reader that SQLite and PostgreSQL share, written
/// once over ADO.NET. A provider derives from it and supplies its dialect: how a connection is opened
/// and a transaction run (locking, retries, error mapping, change notification), how times, lists and
/// JSON are bound and read, the few statements the two databases spell differently, its migrations,
/// and the audit trail's bulk append. The store is split by aggregate into partial files
/// (<c>SqlStore.Keys.cs</c>, <c>SqlStore.Grants.cs</c>…); a new store method is one method in one of them.
/// </summary>
internal abstract partial class SqlStore : IStore, IAuditStore, IStoreStatistics
{
    /// <summary>The node's wall clock: when a migration was applied, and the horizon of an audit lookup by resource. The system's unless the host registers one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Creates or upgrades the schema (the provider's own migrations).</summary>
    public abstract Task MigrateAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    // The dialect.

    /// <summary>A connection for one read outside any transaction; the caller disposes it.</summary>
    protected abstract ValueTask<DbConnection> OpenReadAsync(CancellationToken ct);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction: commits when it returns anything but a
    /// <see cref="StoreOutcome"/> other than Success, rolls back otherwise. The changes it records are
    /// published with the commit (where the database has a change feed). Unique and foreign-key
    /// violations become AlreadyExists and NotFound when <typeparamref name="T"/> is StoreOutcome; no
    /// provider exception that the contract names crosses it. A <paramref name="derived"/> write (the
    /// audit trail derived from a durable journal) may commit without waiting for the disk.
    /// </summary>
    protected abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, List<StoreChange>, Task<T>> work, bool derived, CancellationToken ct);

    /// <summary>Binds a time (null as NULL) as the database keeps times.</summary>
    protected abstract void AddTime(DbCommand command, string name, DateTimeOffset? time);

    /// <summary>Reads a time bound by <see cref="AddTime"/>.</summary>
    protected abstract DateTimeOffset GetTime(DbDataReader reader, int ordinal);

    /// <summary>Binds a list of strings that holds no comma (grant operations).</summary>
    protected abstract void AddStringList(DbCommand command, string name, IReadOnlyList<string> values);

    protected abstract string[] GetStringList(DbDataReader reader, int ordinal);

    /// <summary>Binds a JSON document (null as NULL).</summary>
    protected abstract void AddJson(DbCommand command, string name, string? json);

    /// <summary>The literal of a true boolean column in a WHERE clause, as the partial indexes spell it.</summary>
    protected abstract string TrueLiteral { get; }

    /// <summary>What follows a text column in ORDER BY so that it orders byte-wise (SQLite's default; PostgreSQL needs COLLATE "C" on columns not declared so).</summary>
    protected virtual string BytewiseCollation => string.Empty;

    /// <summary>
    /// Holds, until the transaction ends, a lock on <paramref name="what"/> (an account id, a principal ARN) that a
    /// write takes before it checks a limit or a free name and then inserts. Nothing to do where writes are
    /// serialized (SQLite); PostgreSQL takes a transaction advisory lock, as READ COMMITTED lets two writers pass one check.
    /// </summary>
    protected virtual Task LockForCheckAsync(DbConnection connection, DbTransaction tx, string what, CancellationToken ct) => Task.CompletedTask;

    // Shared plumbing.

    protected Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, List<StoreChange>, Task<T>> work, CancellationToken ct) =>
        WriteAsync(work, derived: false, ct);

    protected Task WriteAsync(Func<DbConnection, DbTransaction, List<StoreChange>, Task> work, CancellationToken ct, bool derived = false) =>
        WriteAsync<bool>(async (c, t, changes) =>
        {
            await work(c, t, changes);
            return true;
        }, derived, ct);

    protected static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = Command(connection, tx, sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The name a parameter written <c>@name</c> in the SQL is bound by, given <paramref name="name"/>
    /// without its prefix. A provider that matches names with their prefix returns a cached string:
    /// binding must not build one per call (store reads serve cache misses of the request path).
    /// </summary>
    protected virtual string ParameterName(string name) => name;

    /// <summary>Binds a value whose type the database infers (never null).</summary>
    protected DbParameter Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = ParameterName(name);
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>Binds a value that may be null, with its type (an untyped NULL is ambiguous to PostgreSQL).</summary>
    protected DbParameter Add(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = ParameterName(name);
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    protected static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }

    /// <summary>Runs a read outside any transaction: opens a connection, binds, reads every row.</summary>
    protected async Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand>? bind, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, sql);
        bind?.Invoke(command);
        return await ReadAllAsync(command, read, ct);
    }

    protected static Page<T> Paged<T>(List<T> items, int limit, Func<T, string> sortKey)
    {
        if (items.Count <= limit)
        {
            return new Page<T>(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new Page<T>(items, sortKey(items[^1]));
    }

    protected static StoreOutcome NotFoundIfNone(int rows) => rows == 0 ? StoreOutcome.NotFound : StoreOutcome.Success;
}
