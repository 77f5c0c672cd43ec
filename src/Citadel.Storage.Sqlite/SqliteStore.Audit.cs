using System.Runtime.CompilerServices;
using System.Text;
using Citadel.Core.Audit;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore : IAuditStore
{
    private const string AuditColumns = "chain_id, seq, event_id, event_time, account_id, event_name, event_source, username, access_key_id, resource_name, read_only, record, prev_hash, hash";

    private const string AfterCursor = " AND (event_time < $ct OR (event_time = $ct AND (chain_id < $cc OR (chain_id = $cc AND seq < $cs))))";

    private readonly AuditByResource _byResource = new();

    public async Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains WHERE chain_id = $c;");
        command.Parameters.AddWithValue("$c", chainId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new AuditChainHead(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3)) : null;
    }

    public async Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT chain_id, head_seq, head_hash, retained_from_seq FROM audit_chains ORDER BY chain_id;");
        return await ReadAllAsync(command, reader => new AuditChainHead(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3)), ct);
    }

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) =>
        AppendAsync(chainId, _byResource.Unwritten(records), records[^1].Sequence, records[^1].Hash, derived: false, insert =>
        {
            foreach (var r in records)
            {
                BindText(insert, 1, r.ChainId);
                raw.sqlite3_bind_int64(insert, 2, r.Sequence);
                BindText(insert, 3, r.EventId);
                raw.sqlite3_bind_int64(insert, 4, ToUnixMs(r.EventTime));
                BindText(insert, 5, r.AccountId);
                BindText(insert, 6, r.EventName);
                BindText(insert, 7, r.EventSource);
                BindText(insert, 8, r.Username);
                BindText(insert, 9, r.AccessKeyId);
                BindText(insert, 10, r.ResourceName);
                raw.sqlite3_bind_int(insert, 11, r.ReadOnly ? 1 : 0);
                BindText(insert, 12, r.Record);
                BindText(insert, 13, r.PreviousHash);
                BindText(insert, 14, r.Hash);
                Step(insert);
            }
        }, ct);

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendUtf8Async(chainId, records, derived: false, ct);

    /// <summary>The indexer's path: not synced (see <see cref="WriteAsync{T}"/>); <see cref="SyncDerivedAsync"/> makes it durable.</summary>
    public Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendUtf8Async(chainId, records, derived: true, ct);

    /// <summary>
    /// A FULL checkpoint: it waits for readers of older snapshots, syncs the WAL, copies every frame
    /// into the database and syncs it, so every commit before it is durable, those of the derived
    /// writer's unsynced connection included (SQLite's "WAL mode with synchronous=NORMAL").
    /// </summary>
    public async Task SyncDerivedAsync(CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var connection = _derivedWriter ??= await OpenDerivedWriterAsync(ct);
            await using var checkpoint = Command(connection, null, "PRAGMA wal_checkpoint(FULL);");
            await using var reader = await checkpoint.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct) && reader.GetInt64(0) != 0)
            {
                throw new SqliteException("The checkpoint that makes the audit trail durable was blocked by a reader; it is tried again.", raw.SQLITE_BUSY);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Every field bound from the journal's bytes, no string made (but for new resource hours).</summary>
    private Task AppendUtf8Async(string chainId, IReadOnlyList<AuditRecordUtf8> records, bool derived, CancellationToken ct) =>
        AppendAsync(chainId, _byResource.Unwritten(records), records[^1].Sequence, Convert.ToHexStringLower(records[^1].Hash.Span), derived, insert =>
        {
            Span<byte> chain = stackalloc byte[Encoding.UTF8.GetMaxByteCount(chainId.Length)];
            chain = chain[..Encoding.UTF8.GetBytes(chainId, chain)];
            Span<byte> hex = stackalloc byte[64];
            foreach (var r in records)
            {
                BindText(insert, 1, chain);
                raw.sqlite3_bind_int64(insert, 2, r.Sequence);
                BindText(insert, 3, r.EventId.Span);
                raw.sqlite3_bind_int64(insert, 4, r.EventTimeMs);
                BindText(insert, 5, r.AccountId.Span);
                BindText(insert, 6, r.EventName.Span);
                BindText(insert, 7, r.EventSource.Span);
                BindText(insert, 8, r.Username);
                BindText(insert, 9, r.AccessKeyId);
                BindText(insert, 10, r.ResourceName);
                raw.sqlite3_bind_int(insert, 11, r.ReadOnly ? 1 : 0);
                BindText(insert, 12, r.Record.Span);
                Convert.TryToHexStringLower(r.PreviousHash.Span, hex, out _);
                BindText(insert, 13, hex);
                Convert.TryToHexStringLower(r.Hash.Span, hex, out _);
                BindText(insert, 14, hex);
                Step(insert);
            }
        }, ct);

    /// <summary>
    /// Appends a batch in one transaction: the events (<paramref name="insertAll"/> binds and steps
    /// the prepared INSERT once per event, straight through SQLite's C API, which binds UTF-8 spans
    /// where Microsoft.Data.Sqlite would take strings and boxed integers), the chain head, and the
    /// resource hours not written yet.
    /// </summary>
    private async Task AppendAsync(string chainId, List<(string Resource, long Hour)> newHours, long lastSequence, string lastHash, bool derived, Action<sqlite3_stmt> insertAll, CancellationToken ct)
    {
        await WriteAsync(async (connection, tx) =>
        {
            var prepared = raw.sqlite3_prepare_v2(connection.Handle, $"INSERT INTO audit_events ({AuditColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14);", out var insert);
            using (insert)
            {
                Check(prepared, connection.Handle!);
                insertAll(insert);
            }

            await using var head = Command(connection, tx, """
                INSERT INTO audit_chains (chain_id, head_seq, head_hash, retained_from_seq) VALUES ($c, $s, $h, 1)
                ON CONFLICT (chain_id) DO UPDATE SET head_seq = $s, head_hash = $h;
                """);
            head.Parameters.AddWithValue("$c", chainId);
            head.Parameters.AddWithValue("$s", lastSequence);
            head.Parameters.AddWithValue("$h", lastHash);
            await head.ExecuteNonQueryAsync(ct);

            if (newHours.Count > 0)
            {
                await using var hours = Command(connection, tx, "INSERT OR IGNORE INTO audit_resource_hours (resource_name, hour) VALUES ($r, $h);");
                var resource = hours.Parameters.Add("$r", SqliteType.Text);
                var hour = hours.Parameters.Add("$h", SqliteType.Integer);
                foreach (var (name, at) in newHours)
                {
                    resource.Value = name;
                    hour.Value = at;
                    await hours.ExecuteNonQueryAsync(ct);
                }
            }
        }, ct, derived);
        _byResource.Committed(newHours);
    }

    private static void BindText(sqlite3_stmt statement, int index, ReadOnlySpan<byte> utf8) =>
        Check(raw.sqlite3_bind_text(statement, index, utf8), raw.sqlite3_db_handle(statement));

    private static void BindText(sqlite3_stmt statement, int index, ReadOnlyMemory<byte>? utf8) =>
        Check(utf8 is { } bytes ? raw.sqlite3_bind_text(statement, index, bytes.Span) : raw.sqlite3_bind_null(statement, index), raw.sqlite3_db_handle(statement));

    private static void BindText(sqlite3_stmt statement, int index, string? text) =>
        Check(text is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, text), raw.sqlite3_db_handle(statement));

    private static void Step(sqlite3_stmt statement)
    {
        var result = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (result != raw.SQLITE_DONE)
        {
            Check(result, raw.sqlite3_db_handle(statement));
        }
    }

    private static void Check(int result, sqlite3 database) => SqliteException.ThrowExceptionForRC(result, database);

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"SELECT {AuditColumns} FROM audit_events WHERE chain_id = $c AND seq >= $s ORDER BY seq;");
        command.Parameters.AddWithValue("$c", chainId);
        command.Parameters.AddWithValue("$s", fromSequence);
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
        var filter = column is null ? "" : $" AND {column} = $v";
        var cursor = query.After is null ? "" : AfterCursor;
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"""
            SELECT {AuditColumns} FROM audit_events
            WHERE account_id = $a AND event_time >= $from AND event_time <= $to{filter}{cursor}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT $limit;
            """);
        BindLookup(command, query, query.StartTime is { } from ? ToUnixMs(from) : long.MinValue, query.EndTime is { } to ? ToUnixMs(to) : long.MaxValue);
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        if (column is not null)
        {
            command.Parameters.AddWithValue("$v", query.Attribute == AuditLookupKey.ReadOnly
                ? (string.Equals(query.AttributeValue, "true", StringComparison.OrdinalIgnoreCase) ? 1 : 0)
                : query.AttributeValue ?? "");
        }

        return AuditByResource.Page(await ReadAllAsync(command, ReadAudit, ct), query.Limit);
    }

    /// <summary>Events of one resource, newest first (see <see cref="AuditByResource"/>): one seek per second of the hours it was used in.</summary>
    private async Task<List<AuditRecord>> LookupByResourceAsync(AuditQuery query, CancellationToken ct)
    {
        if (AuditByResource.Range(query) is not var (from, to) || query.AttributeValue is not { } resource)
        {
            return [];
        }

        await using var connection = await OpenAsync(ct);
        await using var hours = Command(connection, null, """
            SELECT hour FROM audit_resource_hours WHERE resource_name = $r AND hour >= $from AND hour <= $to ORDER BY hour DESC;
            """);
        hours.Parameters.AddWithValue("$r", resource);
        hours.Parameters.AddWithValue("$from", from / AuditByResource.MsPerHour);
        hours.Parameters.AddWithValue("$to", to / AuditByResource.MsPerHour);
        var used = await ReadAllAsync(hours, r => r.GetInt64(0), ct);

        await using var second = Command(connection, null, $"""
            SELECT {AuditColumns} FROM audit_events INDEXED BY audit_by_second_resource
            WHERE event_time / 1000 = $sec AND resource_name = $v AND account_id = $a
            AND event_time >= $from AND event_time <= $to{(query.After is null ? "" : AfterCursor)}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT $limit;
            """);
        BindLookup(second, query, from, to);
        second.Parameters.AddWithValue("$v", resource);
        var at = second.Parameters.Add("$sec", SqliteType.Integer);
        var limit = second.Parameters.Add("$limit", SqliteType.Integer);
        return await AuditByResource.LookupAsync(used, from, to, query.Limit + 1, secondsPerProbe: 1, async (_, last, wanted) =>
        {
            at.Value = last;
            limit.Value = wanted;
            return await ReadAllAsync(second, ReadAudit, ct);
        });
    }

    private static void BindLookup(SqliteCommand command, AuditQuery query, long from, long to)
    {
        command.Parameters.AddWithValue("$a", query.AccountId);
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        if (query.After is { } after)
        {
            command.Parameters.AddWithValue("$ct", after.TimeMs);
            command.Parameters.AddWithValue("$cc", after.ChainId);
            command.Parameters.AddWithValue("$cs", after.Sequence);
        }
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            // Keep each chain's newest record, so the chain head stays anchored; record where each chain now starts.
            var cut = ToUnixMs(cutoff);
            await using var delete = Command(connection, tx, """
                DELETE FROM audit_events WHERE event_time / 1000 <= $cutSec AND event_time < $cut
                AND seq < (SELECT head_seq FROM audit_chains WHERE audit_chains.chain_id = audit_events.chain_id);
                """);
            delete.Parameters.AddWithValue("$cut", cut);
            delete.Parameters.AddWithValue("$cutSec", cut / 1000);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            await ExecuteAsync(connection, tx, """
                UPDATE audit_chains SET retained_from_seq = COALESCE((SELECT MIN(seq) FROM audit_events WHERE audit_events.chain_id = audit_chains.chain_id), head_seq + 1);
                """, ct);

            // Hours wholly before the cutoff keep a row only for a chain's anchor record left in them.
            await using var hours = Command(connection, tx, """
                DELETE FROM audit_resource_hours WHERE hour < $cutHour AND NOT EXISTS (
                    SELECT 1 FROM audit_events
                    WHERE event_time / 1000 >= hour * 3600 AND event_time / 1000 < (hour + 1) * 3600
                    AND resource_name = audit_resource_hours.resource_name);
                """);
            hours.Parameters.AddWithValue("$cutHour", cut / AuditByResource.MsPerHour);
            await hours.ExecuteNonQueryAsync(ct);
            return deleted;
        }, ct);

    private static AuditRecord ReadAudit(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        r.GetString(2),
        FromUnixMs(r.GetInt64(3)),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetInt64(10) != 0,
        r.GetString(11),
        r.GetString(12),
        r.GetString(13));
}
