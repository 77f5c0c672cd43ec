using System.Data;
using System.Data.Common;
using Citadel.Storage.Cluster;
using Citadel.Storage.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The store of several nodes: one PostgreSQL database that every node shares; the PostgreSQL dialect
/// of <see cref="SqlStore"/>. Each change is one READ COMMITTED transaction; keys use optimistic
/// concurrency on row_version (an UPDATE that finds another version changes nothing, so there is never
/// a lost update), and every committed change sends a NOTIFY naming what it touched (see
/// <see cref="PostgreSqlChangeFeed"/>). Times are timestamptz, lists text[], JSON jsonb; children of a
/// key also go with it by foreign key (ON DELETE CASCADE).
/// </summary>
internal sealed partial class PostgreSqlStore : SqlStore
{
    /// <summary>Attempts of a transaction that PostgreSQL aborted as a serialization failure or deadlock.</summary>
    private const int MaxAttempts = 10;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _channel;
    private readonly JournalCommits _journalCommits;

    public PostgreSqlStore(NpgsqlDataSource dataSource, bool ownsDataSource = false, string channel = PostgreSqlChangeFeed.DefaultChannel)
    {
        _dataSource = dataSource;
        _journalCommits = new JournalCommits(dataSource);
        _ownsDataSource = ownsDataSource;
        _channel = channel;
    }

    public override Task MigrateAsync(CancellationToken ct) => PostgreSqlMigrator.MigrateAsync(_dataSource, PostgreSqlMigrations.All, ct);

    public override async ValueTask DisposeAsync()
    {
        await _journalCommits.DisposeAsync();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }

    // The dialect.

    protected override async ValueTask<DbConnection> OpenReadAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);

    /// <summary>
    /// Runs <paramref name="work"/> in one READ COMMITTED transaction. On success, the changes it
    /// recorded are sent with NOTIFY in the same transaction (PostgreSQL delivers them at commit, and
    /// only if it commits); any other outcome rolls back. Serialization failures and deadlocks are
    /// retried here; unique and foreign-key violations become AlreadyExists and NotFound. A derived
    /// write relaxes its own commit (see <see cref="AppendDerivedAsync"/>).
    /// </summary>
    protected override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, List<StoreChange>, Task<T>> work, bool derived, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var changes = new List<StoreChange>();
            try
            {
                var result = await work(connection, tx, changes);
                if (result is StoreOutcome and not StoreOutcome.Success)
                {
                    await tx.RollbackAsync(ct);
                    return result;
                }

                if (changes.Count > 0)
                {
                    await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, nextval('change_sequence')::text || E'\\n' || @changes);", connection, tx);
                    notify.Parameters.AddWithValue("channel", _channel);
                    notify.Parameters.AddWithValue("changes", ChangeMessage.Format(changes));
                    await notify.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
                return result;
            }
            catch (PostgresException exception) when (exception.IsTransient && attempt < MaxAttempts)
            {
                // 40001 serialization_failure, 40P01 deadlock_detected: the transaction was rolled back
                // as a whole, so running it again is safe. Back off a little, with jitter, so the
                // contenders do not collide again in lockstep.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), ct);
            }
            catch (PostgresException exception) when (typeof(T) == typeof(StoreOutcome) && OutcomeOf(exception) is { } outcome)
            {
                return (T)(object)outcome;
            }
        }
    }

    /// <summary>A constraint the contract names: the row exists already, or what it refers to does not (any more).</summary>
    private static StoreOutcome? OutcomeOf(PostgresException exception) => exception.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation => StoreOutcome.AlreadyExists,
        PostgresErrorCodes.ForeignKeyViolation => StoreOutcome.NotFound,
        _ => null,
    };

    /// <summary>Times are kept to the millisecond, in UTC, as SQLite keeps them: both providers give back the same values.</summary>
    protected override void AddTime(DbCommand command, string name, DateTimeOffset? time) =>
        Add(command, name, time is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()) : null, DbType.DateTimeOffset);

    protected override DateTimeOffset GetTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    protected override void AddStringList(DbCommand command, string name, IReadOnlyList<string> values) => Add(command, name, values.ToArray());

    protected override string[] GetStringList(DbDataReader reader, int ordinal) => reader.GetFieldValue<string[]>(ordinal);

    protected override void AddJson(DbCommand command, string name, string? json) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = (object?)json ?? DBNull.Value });

    protected override string TrueLiteral => "TRUE";

    protected override string BytewiseCollation => " COLLATE \"C\"";

    /// <summary>The advisory lock class of checked writes ("IAM "); the object is the hash of what is checked.</summary>
    private const int CheckLockClass = 0x49414D20;

    protected override async Task LockForCheckAsync(DbConnection connection, DbTransaction tx, string what, CancellationToken ct)
    {
        await using var command = Command(connection, tx, "SELECT pg_advisory_xact_lock(@class, hashtext(@what));");
        Add(command, "class", CheckLockClass);
        Add(command, "what", what);
        await command.ExecuteNonQueryAsync(ct);
    }
}
