using System.Data.Common;
using Citadel.Core.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The audit trail on PostgreSQL: one hash chain per node (AuditOptions.ChainId), so several writers
/// never contend for a sequence, and each chain verifies on its own.
/// </summary>
internal sealed partial class PostgreSqlStore : IAuditJournalStore
{
    protected override string AuditAfterCursor => " AND (event_time, chain_id, seq) < (@ct, @cc, @cs)";

    public override Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) =>
        AppendAsync(chainId, records, derived: false, ct);

    public override Task AppendAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendAsync(chainId, records.Select(r => r.ToRecord(chainId)).ToList(), derived: false, ct);

    /// <summary>
    /// The indexer's path: committed with synchronous_commit off, so the commit does not wait for
    /// PostgreSQL's WAL flush (a server crash may lose the last such commits, atomically; the journal
    /// keeps them until <see cref="SyncDerivedAsync"/>).
    /// </summary>
    public override Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendAsync(chainId, records.Select(r => r.ToRecord(chainId)).ToList(), derived: true, ct);

    /// <summary>
    /// A transaction with a transaction id commits with synchronous_commit on: PostgreSQL flushes its
    /// WAL up to that commit, which covers every asynchronous commit before it.
    /// </summary>
    public override Task SyncDerivedAsync(CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using var command = Command(connection, tx, "SELECT txid_current();");
            await command.ExecuteScalarAsync(ct);
        }, ct);

    /// <summary>
    /// One statement outside a transaction block: it commits by itself (and waits for the WAL flush) in
    /// one round trip, where BEGIN … COMMIT took two. The audit writer has several of these in flight.
    /// </summary>
    public async Task AppendJournalAsync(string chainId, long firstSequence, long lastSequence, ReadOnlyMemory<byte> frames, CancellationToken ct)
    {
        await using var insert = _dataSource.CreateCommand("INSERT INTO audit_journal (chain_id, first_seq, last_seq, frames) VALUES (@c, @f, @l, @b);");
        Add(insert, "c", chainId);
        Add(insert, "f", firstSequence);
        Add(insert, "l", lastSequence);
        insert.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("b", NpgsqlDbType.Bytea) { TypedValue = frames });
        await insert.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<string>> ListJournalChainsAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT DISTINCT chain_id FROM audit_journal ORDER BY chain_id;");
        return await ReadAllAsync(command, r => r.GetString(0), ct);
    }

    public async Task<IAsyncDisposable?> TryClaimChainAsync(string chainId, CancellationToken ct)
    {
        // A session advisory lock on a connection kept open: it ends with the node's session.
        var connection = await _dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, hashtext(@chain));", connection);
            Add(take, "class", AdvisoryLocks.AuditChains);
            Add(take, "chain", chainId);
            if (await take.ExecuteScalarAsync(ct) is true)
            {
                var claim = connection;
                connection = null;
                return new ChainClaim(claim);
            }

            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    public async Task<IReadOnlyList<byte[]>> ReadJournalAsync(string chainId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT frames FROM audit_journal WHERE chain_id = @c ORDER BY first_seq;");
        Add(command, "c", chainId);
        return await ReadAllAsync(command, r => (byte[])r.GetValue(0), ct);
    }

    public Task DeleteJournalAsync(string chainId, long upToSequence, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) => await DeleteJournalAsync(connection, tx, chainId, upToSequence, ct), ct);

    private async Task DeleteJournalAsync(DbConnection connection, DbTransaction tx, string chainId, long upToSequence, CancellationToken ct)
    {
        await using var delete = Command(connection, tx, "DELETE FROM audit_journal WHERE chain_id = @c AND last_seq <= @s;");
        Add(delete, "c", chainId);
        Add(delete, "s", upToSequence);
        await delete.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Holds a chain's advisory lock until disposed (closing the session releases it).</summary>
    private sealed class ChainClaim(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // Released now: a pooled connection would otherwise keep the lock until its next use.
                await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all();", connection);
                await release.ExecuteNonQueryAsync();
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
            {
                // The session is gone, and the lock with it.
            }

            await connection.DisposeAsync();
        }
    }

    private async Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, bool derived, CancellationToken ct)
    {
        var newHours = ByResource.Unwritten(records);
        await WriteAsync(async (connection, tx, _) =>
        {
            if (derived)
            {
                // Derived from journal rows: they go in the same transaction, so a crash loses both or neither.
                await using var relax = Command(connection, tx, "SET LOCAL synchronous_commit = off;");
                await relax.ExecuteNonQueryAsync(ct);
                await DeleteJournalAsync(connection, tx, chainId, records[^1].Sequence, ct);
            }

            // One round trip for the batch: COPY is the fastest way PostgreSQL takes many rows.
            await using (var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync($"COPY audit_events ({AuditColumns}) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var record in records)
                {
                    await importer.StartRowAsync(ct);
                    await importer.WriteAsync(record.ChainId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.Sequence, NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(record.EventId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.EventTime.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(record.AccountId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.EventName, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.EventSource, NpgsqlDbType.Text, ct);
                    await WriteNullableAsync(importer, record.Username, ct);
                    await WriteNullableAsync(importer, record.AccessKeyId, ct);
                    await WriteNullableAsync(importer, record.ResourceName, ct);
                    await importer.WriteAsync(record.ReadOnly, NpgsqlDbType.Boolean, ct);
                    await importer.WriteAsync(record.Record, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.PreviousHash, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.Hash, NpgsqlDbType.Text, ct);
                }

                await importer.CompleteAsync(ct);
            }

            var last = records[^1];
            await using var head = Command(connection, tx, """
                INSERT INTO audit_chains (chain_id, head_seq, head_hash, retained_from_seq) VALUES (@c, @s, @h, 1)
                ON CONFLICT (chain_id) DO UPDATE SET head_seq = @s, head_hash = @h;
                """);
            Add(head, "c", chainId);
            Add(head, "s", last.Sequence);
            Add(head, "h", last.Hash);
            await head.ExecuteNonQueryAsync(ct);

            if (newHours.Count > 0)
            {
                // Another node may have written the same resource and hour.
                await using var hours = Command(connection, tx, """
                    INSERT INTO audit_resource_hours (resource_name, hour) SELECT * FROM unnest(@r, @h) ON CONFLICT DO NOTHING;
                    """);
                Add(hours, "r", newHours.Select(p => p.Resource).ToArray());
                Add(hours, "h", newHours.Select(p => p.Hour).ToArray());
                await hours.ExecuteNonQueryAsync(ct);
            }
        }, ct);
        ByResource.Committed(newHours);
    }

    /// <summary>
    /// Events of one resource, newest first (see <see cref="AuditByResource"/>): a minute of the hours
    /// it was used in per round trip, each second of it one seek.
    /// </summary>
    protected override async Task<List<AuditRecord>> LookupByResourceAsync(AuditQuery query, CancellationToken ct)
    {
        if (AuditByResource.Range(query, Time.GetUtcNow()) is not var (from, to) || query.AttributeValue is not { } resource)
        {
            return [];
        }

        List<long> used;
        await using (var connection = await _dataSource.OpenConnectionAsync(ct))
        {
            used = await ResourceHoursAsync(connection, resource, from, to, ct);
        }

        return await AuditByResource.LookupAsync(used, from, to, query.Limit + 1, secondsPerProbe: 60, async (first, last, wanted) =>
        {
            await using var seconds = _dataSource.CreateCommand($"""
                SELECT e.* FROM generate_series(@first::bigint, @last::bigint) AS s(sec)
                CROSS JOIN LATERAL (
                    SELECT {AuditColumns} FROM audit_events
                    WHERE (event_time / 1000) = s.sec AND resource_name = @v AND account_id = @a
                    AND event_time >= @from AND event_time <= @to{(query.After is null ? "" : AuditAfterCursor)}
                    ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT @limit) e
                ORDER BY e.event_time DESC, e.chain_id DESC, e.seq DESC LIMIT @limit;
                """);
            BindLookup(seconds, query, from, to);
            Add(seconds, "v", resource);
            Add(seconds, "first", first);
            Add(seconds, "last", last);
            Add(seconds, "limit", wanted);
            return await ReadAllAsync(seconds, ReadAudit, ct);
        });
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken ct)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(ct);
        }
        else
        {
            await importer.WriteAsync(value, NpgsqlDbType.Text, ct);
        }
    }
}
