using System.Runtime.CompilerServices;
using Citadel.Core.Audit;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The audit trail on PostgreSQL: one hash chain per node (AuditOptions.ChainId), so several writers
/// never contend for a sequence, and each chain verifies on its own.
/// </summary>
internal sealed partial class PostgreSqlStore : IAuditStore, IAuditJournalStore
{
    private const string AuditColumns = "chain_id, seq, event_id, event_time, account_id, event_name, event_source, username, access_key_id, resource_name, read_only, record, prev_hash, hash";

    private const string AfterCursor = " AND (event_time, chain_id, seq) < (@ct, @cc, @cs)";

    public async Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains WHERE chain_id = @c;");
        command.Parameters.AddWithValue("c", chainId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AuditChainHead(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3)) : null;
    }

    public async Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains ORDER BY chain_id;");
        return await ReadAllAsync(command, r => new AuditChainHead(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3)), ct);
    }

    private readonly AuditByResource _byResource = new();

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) =>
        AppendAsync(chainId, records, derived: false, ct);

    /// <summary>
    /// The indexer's path: committed with synchronous_commit off, so the commit does not wait for
    /// PostgreSQL's WAL flush (a server crash may lose the last such commits, atomically; the journal
    /// keeps them until <see cref="SyncDerivedAsync"/>).
    /// </summary>
    public Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendAsync(chainId, records.Select(r => r.ToRecord(chainId)).ToList(), derived: true, ct);

    /// <summary>
    /// A transaction with a transaction id commits with synchronous_commit on: PostgreSQL flushes its
    /// WAL up to that commit, which covers every asynchronous commit before it.
    /// </summary>
    public Task SyncDerivedAsync(CancellationToken ct) =>
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
        insert.Parameters.AddWithValue("c", chainId);
        insert.Parameters.AddWithValue("f", firstSequence);
        insert.Parameters.AddWithValue("l", lastSequence);
        insert.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("b", NpgsqlDbType.Bytea) { TypedValue = frames });
        await insert.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<string>> ListJournalChainsAsync(CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT DISTINCT chain_id FROM audit_journal ORDER BY chain_id;");
        return await ReadAllAsync(command, r => r.GetString(0), ct);
    }

    public async Task<IAsyncDisposable?> TryClaimChainAsync(string chainId, CancellationToken ct)
    {
        // A session advisory lock on a connection kept open: it ends with the node's session.
        var connection = await _dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, hashtext(@chain));", connection);
            take.Parameters.AddWithValue("class", AdvisoryLocks.AuditChains);
            take.Parameters.AddWithValue("chain", chainId);
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
        await using var command = ReadCommand("SELECT frames FROM audit_journal WHERE chain_id = @c ORDER BY first_seq;");
        command.Parameters.AddWithValue("c", chainId);
        return await ReadAllAsync(command, r => (byte[])r.GetValue(0), ct);
    }

    public Task DeleteJournalAsync(string chainId, long upToSequence, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) => await DeleteJournalAsync(connection, tx, chainId, upToSequence, ct), ct);

    private static async Task DeleteJournalAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string chainId, long upToSequence, CancellationToken ct)
    {
        await using var delete = Command(connection, tx, "DELETE FROM audit_journal WHERE chain_id = @c AND last_seq <= @s;");
        delete.Parameters.AddWithValue("c", chainId);
        delete.Parameters.AddWithValue("s", upToSequence);
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
        var newHours = _byResource.Unwritten(records);
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
            await using (var importer = await connection.BeginBinaryImportAsync($"COPY audit_events ({AuditColumns}) FROM STDIN (FORMAT BINARY)", ct))
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
            head.Parameters.AddWithValue("c", chainId);
            head.Parameters.AddWithValue("s", last.Sequence);
            head.Parameters.AddWithValue("h", last.Hash);
            await head.ExecuteNonQueryAsync(ct);

            if (newHours.Count > 0)
            {
                // Another node may have written the same resource and hour.
                await using var hours = Command(connection, tx, """
                    INSERT INTO audit_resource_hours (resource_name, hour) SELECT * FROM unnest(@r, @h) ON CONFLICT DO NOTHING;
                    """);
                hours.Parameters.AddWithValue("r", newHours.Select(p => p.Resource).ToArray());
                hours.Parameters.AddWithValue("h", newHours.Select(p => p.Hour).ToArray());
                await hours.ExecuteNonQueryAsync(ct);
            }
        }, ct);
        _byResource.Committed(newHours);
    }

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {AuditColumns} FROM audit_events WHERE chain_id = @c AND seq >= @s ORDER BY seq;");
        command.Parameters.AddWithValue("c", chainId);
        command.Parameters.AddWithValue("s", fromSequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return ReadAudit(reader);
        }
    }

    public async Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct)
    {
        if (query.Attribute == AuditLookupKey.ResourceName)
        {
            return AuditByResource.Page(await LookupByResourceAsync(query, ct), query.Limit);
        }

        var column = query.Attribute switch
        {
            AuditLookupKey.EventId => "event_id",
            AuditLookupKey.EventName => "event_name",
            AuditLookupKey.ReadOnly => "read_only",
            AuditLookupKey.Username => "username",
            AuditLookupKey.EventSource => "event_source",
            AuditLookupKey.AccessKeyId => "access_key_id",
            AuditLookupKey.ResourceType => "'AWS::KMS::Key'",
            _ => null,
        };
        var filter = column is null ? "" : $" AND {column} = @v";
        var cursor = query.After is null ? "" : AfterCursor;
        await using var command = ReadCommand($"""
            SELECT {AuditColumns} FROM audit_events
            WHERE account_id = @a AND event_time >= @from AND event_time <= @to{filter}{cursor}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT @limit;
            """);
        BindLookup(command, query, query.StartTime is { } from ? from.ToUnixTimeMilliseconds() : long.MinValue, query.EndTime is { } to ? to.ToUnixTimeMilliseconds() : long.MaxValue);
        command.Parameters.AddWithValue("limit", query.Limit + 1);
        if (column is not null)
        {
            if (query.Attribute == AuditLookupKey.ReadOnly)
            {
                command.Parameters.AddWithValue("v", string.Equals(query.AttributeValue, "true", StringComparison.OrdinalIgnoreCase));
            }
            else
            {
                command.Parameters.AddWithValue("v", query.AttributeValue ?? "");
            }
        }

        return AuditByResource.Page(await ReadAllAsync(command, ReadAudit, ct), query.Limit);
    }

    /// <summary>
    /// Events of one resource, newest first (see <see cref="AuditByResource"/>): a minute of the hours
    /// it was used in per round trip, each second of it one seek.
    /// </summary>
    private async Task<List<AuditRecord>> LookupByResourceAsync(AuditQuery query, CancellationToken ct)
    {
        if (AuditByResource.Range(query) is not var (from, to) || query.AttributeValue is not { } resource)
        {
            return [];
        }

        await using var hours = ReadCommand("""
            SELECT hour FROM audit_resource_hours WHERE resource_name = @r AND hour >= @from AND hour <= @to ORDER BY hour DESC;
            """);
        hours.Parameters.AddWithValue("r", resource);
        hours.Parameters.AddWithValue("from", from / AuditByResource.MsPerHour);
        hours.Parameters.AddWithValue("to", to / AuditByResource.MsPerHour);
        var used = await ReadAllAsync(hours, r => r.GetInt64(0), ct);

        return await AuditByResource.LookupAsync(used, from, to, query.Limit + 1, secondsPerProbe: 60, async (first, last, wanted) =>
        {
            await using var seconds = ReadCommand($"""
                SELECT e.* FROM generate_series(@first::bigint, @last::bigint) AS s(sec)
                CROSS JOIN LATERAL (
                    SELECT {AuditColumns} FROM audit_events
                    WHERE (event_time / 1000) = s.sec AND resource_name = @v AND account_id = @a
                    AND event_time >= @from AND event_time <= @to{(query.After is null ? "" : AfterCursor)}
                    ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT @limit) e
                ORDER BY e.event_time DESC, e.chain_id DESC, e.seq DESC LIMIT @limit;
                """);
            BindLookup(seconds, query, from, to);
            seconds.Parameters.AddWithValue("v", resource);
            seconds.Parameters.AddWithValue("first", first);
            seconds.Parameters.AddWithValue("last", last);
            seconds.Parameters.AddWithValue("limit", wanted);
            return await ReadAllAsync(seconds, ReadAudit, ct);
        });
    }

    private static void BindLookup(NpgsqlCommand command, AuditQuery query, long from, long to)
    {
        command.Parameters.AddWithValue("a", query.AccountId);
        command.Parameters.AddWithValue("from", from);
        command.Parameters.AddWithValue("to", to);
        if (query.After is { } after)
        {
            command.Parameters.AddWithValue("ct", after.TimeMs);
            command.Parameters.AddWithValue("cc", after.ChainId);
            command.Parameters.AddWithValue("cs", after.Sequence);
        }
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using var delete = Command(connection, tx, """
                DELETE FROM audit_events e USING audit_chains c
                WHERE e.chain_id = c.chain_id AND (e.event_time / 1000) <= @cutSec AND e.event_time < @cut AND e.seq < c.head_seq;
                """);
            delete.Parameters.AddWithValue("cut", cutoff.ToUnixTimeMilliseconds());
            delete.Parameters.AddWithValue("cutSec", cutoff.ToUnixTimeMilliseconds() / 1000);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            await using var anchor = Command(connection, tx, """
                UPDATE audit_chains c SET retained_from_seq = COALESCE((SELECT MIN(seq) FROM audit_events e WHERE e.chain_id = c.chain_id), c.head_seq + 1);
                """);
            await anchor.ExecuteNonQueryAsync(ct);

            // Hours wholly before the cutoff keep a row only for a chain's anchor record left in them.
            await using var hours = Command(connection, tx, """
                DELETE FROM audit_resource_hours h WHERE h.hour < @cutHour AND NOT EXISTS (
                    SELECT 1 FROM audit_events e
                    WHERE (e.event_time / 1000) >= h.hour * 3600 AND (e.event_time / 1000) < (h.hour + 1) * 3600
                    AND e.resource_name = h.resource_name);
                """);
            hours.Parameters.AddWithValue("cutHour", cutoff.ToUnixTimeMilliseconds() / AuditByResource.MsPerHour);
            await hours.ExecuteNonQueryAsync(ct);
            return deleted;
        }, ct);

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

    private static AuditRecord ReadAudit(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.GetString(2),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetBoolean(10),
        r.GetString(11),
        r.GetString(12),
        r.GetString(13));
}
