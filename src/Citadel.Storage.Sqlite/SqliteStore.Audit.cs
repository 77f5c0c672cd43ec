using System.Data;
using System.Data.Common;
using System.Text;
using Citadel.Core.Audit;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    /// <summary>The resource seconds of the batch being appended (<see cref="AuditLookupRows"/>): used under the write lock.</summary>
    private readonly AuditLookupRows _lookupRows = new();

    /// <summary><see cref="AuditAfterCursor"/> that no index by time serves, where another condition chooses the index.</summary>
    private const string UnindexedAfterCursor = " AND (+event_time < @ct OR (+event_time = @ct AND (chain_id < @cc OR (chain_id = @cc AND seq < @cs))))";

    protected override string AuditAfterCursor => " AND (event_time < @ct OR (event_time = @ct AND (chain_id < @cc OR (chain_id = @cc AND seq < @cs))))";

    public override Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) =>
        AppendAsync(chainId, ByResource.Unwritten(records), records[^1].Sequence, records[^1].Hash, derived: false, insert =>
        {
            foreach (var r in records)
            {
                BindText(insert, 1, r.ChainId);
                raw.sqlite3_bind_int64(insert, 2, r.Sequence);
                BindText(insert, 3, r.EventId);
                raw.sqlite3_bind_int64(insert, 4, r.EventTime.ToUnixTimeMilliseconds());
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
                if (r.ResourceName is { } resource)
                {
                    _lookupRows.Add(r.EventTime.ToUnixTimeMilliseconds(), Encoding.UTF8.GetBytes(resource), r.Sequence);
                }

                if (!FoundByTime(r))
                {
                    _lookupRows.AddLegacyEventId(Encoding.UTF8.GetBytes(r.EventId), r.Sequence);
                }
            }
        }, ct);

    public override Task AppendAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendUtf8Async(chainId, records, derived: false, ct);

    /// <summary>Records the indexer derives from the journal stay in its segments (<see cref="JournalSegments"/>): the row holds a reference.</summary>
    public override string? SegmentsDataDirectory => _segments.DataDirectory;

    protected override string StoredRecord(string stored) => _segments.Resolve(stored);

    /// <summary>The indexer's path: not synced (see <see cref="WriteAsync{T}(Func{DbConnection, DbTransaction, List{Cluster.StoreChange}, Task{T}}, bool, CancellationToken)"/>); <see cref="SyncDerivedAsync"/> makes it durable.</summary>
    public override Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendUtf8Async(chainId, records, derived: true, ct);

    /// <summary>
    /// A FULL checkpoint: it waits for readers of older snapshots, syncs the WAL, copies every frame
    /// into the database and syncs it, so every commit before it is durable, those of the derived
    /// writer's unsynced connection included (SQLite's "WAL mode with synchronous=NORMAL").
    /// </summary>
    public override async Task SyncDerivedAsync(CancellationToken ct)
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
        AppendAsync(chainId, ByResource.Unwritten(records), records[^1].Sequence, Convert.ToHexStringLower(records[^1].Hash.Span), derived, insert =>
        {
            Span<byte> chain = stackalloc byte[Encoding.UTF8.GetMaxByteCount(chainId.Length)];
            chain = chain[..Encoding.UTF8.GetBytes(chainId, chain)];
            Span<byte> hex = stackalloc byte[64];
            Span<byte> reference = stackalloc byte[JournalRecordReference.MaxLength];
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
                if (derived && r.Segment is { } segment)
                {
                    BindText(insert, 12, reference[..JournalRecordReference.Write(segment, r.RecordOffset, r.Record.Length, reference)]);
                }
                else
                {
                    BindText(insert, 12, r.Record.Span);
                }

                Convert.TryToHexStringLower(r.PreviousHash.Span, hex, out _);
                BindText(insert, 13, hex);
                Convert.TryToHexStringLower(r.Hash.Span, hex, out _);
                BindText(insert, 14, hex);
                Step(insert);
                if (r.ResourceName is { } resource)
                {
                    _lookupRows.Add(r.EventTimeMs, resource, r.Sequence);
                }

                if (!FoundByTime(r.EventId.Span, r.EventTimeMs))
                {
                    _lookupRows.AddLegacyEventId(r.EventId, r.Sequence);
                }
            }
        }, ct);

    /// <summary>
    /// Appends a batch in one transaction: the events (<paramref name="insertAll"/> binds and steps
    /// the prepared INSERT once per event, straight through SQLite's C API, which binds UTF-8 spans
    /// where Microsoft.Data.Sqlite would take strings and boxed integers, and counts each event with a
    /// resource in <see cref="_lookupRows"/>), their resource seconds, the chain head, and the
    /// resource hours not written yet.
    /// </summary>
    private async Task AppendAsync(string chainId, List<(string Resource, long Hour)> newHours, long lastSequence, string lastHash, bool derived, Action<sqlite3_stmt> insertAll, CancellationToken ct)
    {
        await WriteAsync(async (connection, tx, _) =>
        {
            var handle = ((SqliteConnection)connection).Handle!;
            _lookupRows.Clear();
            using (var insert = Prepare(handle, $"INSERT INTO audit_events ({AuditColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14);"))
            {
                insertAll(insert);
            }

            if (_lookupRows.LegacyEventIds.Count > 0)
            {
                using var legacy = Prepare(handle, "INSERT INTO audit_legacy_event_ids (event_id, chain_id, seq) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING;");
                foreach (var (eventId, sequence) in _lookupRows.LegacyEventIds)
                {
                    BindText(legacy, 1, eventId.Span);
                    BindText(legacy, 2, chainId);
                    raw.sqlite3_bind_int64(legacy, 3, sequence);
                    Step(legacy);
                }
            }

            if (_lookupRows.Ranges.Count > 0)
            {
                using var seconds = Prepare(handle, "INSERT INTO audit_resource_seconds (second, resource_name, chain_id, first_seq, last_seq) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING;");
                foreach (var range in _lookupRows.Ranges)
                {
                    raw.sqlite3_bind_int64(seconds, 1, range.Second);
                    BindText(seconds, 2, range.Resource.Span);
                    BindText(seconds, 3, chainId);
                    raw.sqlite3_bind_int64(seconds, 4, range.First);
                    raw.sqlite3_bind_int64(seconds, 5, range.Last);
                    Step(seconds);
                }
            }

            await WriteChainHeadAsync(connection, tx, chainId, lastSequence, lastHash, ct);

            if (newHours.Count > 0)
            {
                // In key order: the rows go to random places of the table (many keys start an hour together), fewer pages apart so.
                newHours.Sort(static (x, y) => string.CompareOrdinal(x.Resource, y.Resource) is var byName and not 0 ? byName : x.Hour.CompareTo(y.Hour));
                using var hours = Prepare(handle, "INSERT INTO audit_resource_hours (resource_name, hour) VALUES (?1, ?2) ON CONFLICT DO NOTHING;");
                foreach (var (name, at) in newHours)
                {
                    BindText(hours, 1, name);
                    raw.sqlite3_bind_int64(hours, 2, at);
                    Step(hours);
                }
            }
        }, ct, derived);
        ByResource.Committed(newHours);
    }

    private static sqlite3_stmt Prepare(sqlite3 handle, string sql)
    {
        var prepared = raw.sqlite3_prepare_v2(handle, sql, out var statement);
        if (prepared != raw.SQLITE_OK)
        {
            statement.Dispose();
            Check(prepared, handle);
        }

        return statement;
    }

    private static void BindText(sqlite3_stmt statement, int index, ReadOnlySpan<byte> utf8) =>
        Check(raw.sqlite3_bind_text(statement, index, utf8), statement);

    private static void BindText(sqlite3_stmt statement, int index, ReadOnlyMemory<byte>? utf8) =>
        Check(utf8 is { } bytes ? raw.sqlite3_bind_text(statement, index, bytes.Span) : raw.sqlite3_bind_null(statement, index), statement);

    private static void BindText(sqlite3_stmt statement, int index, string? text) =>
        Check(text is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, text), statement);

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

    /// <summary>A bind's result: the statement's database handle (another call into SQLite) only for an error, which binds of every event need not pay.</summary>
    private static void Check(int result, sqlite3_stmt statement)
    {
        if (result != raw.SQLITE_OK)
        {
            Check(result, raw.sqlite3_db_handle(statement));
        }
    }

    /// <summary>
    /// Events of one resource, newest first (see <see cref="AuditByResource"/>): one seek per second of the hours it was
    /// used in, into <c>audit_resource_seconds</c>, and for each of its ranges the events of the range by primary key,
    /// those of the resource and second kept.
    /// </summary>
    protected override async Task<List<AuditRecord>> LookupByResourceAsync(AuditQuery query, CancellationToken ct)
    {
        if (AuditByResource.Range(query, Time.GetUtcNow()) is not var (from, to) || query.AttributeValue is not { } resource)
        {
            return [];
        }

        await using var connection = await OpenAsync(ct);
        var used = await ResourceHoursAsync(connection, resource, from, to, ct);

        // The ranges' columns are named apart from the events' so that the shared conditions (the cursor) name the events';
        // "+account_id": the events by the primary key in each range, not by a scan of the account's.
        await using var second = Command(connection, null, $"""
            SELECT {AuditColumns} FROM (SELECT chain_id AS range_chain, first_seq AS range_first, last_seq AS range_last
                FROM audit_resource_seconds WHERE second = @sec AND resource_name = @v)
            CROSS JOIN audit_events
            WHERE chain_id = range_chain AND seq BETWEEN range_first AND range_last
            AND event_time / 1000 = @sec AND resource_name = @v AND +account_id = @a
            AND event_time >= @from AND event_time <= @to{(query.After is null ? "" : AuditAfterCursor)}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT @limit;
            """);
        BindLookup(second, query, from, to);
        Add(second, "v", resource);
        var at = Add(second, "sec", null, DbType.Int64);
        var limit = Add(second, "limit", null, DbType.Int32);
        return await AuditByResource.LookupAsync(used, from, to, query.Limit + 1, secondsPerProbe: 1, async (_, last, wanted) =>
        {
            at.Value = last;
            limit.Value = wanted;
            return await ReadAllAsync(second, ReadAudit, ct);
        });
    }

    /// <summary>
    /// No index by event id (migration 14; see <see cref="EventIdConditions"/>). "+event_time": a seek to the id's
    /// millisecond, not a walk of the query's time range or up to the cursor; "+account_id": by the ids' rows and the primary
    /// key, not by a scan of the account's events.
    /// </summary>
    protected override (string ByTime, string Legacy) EventIdConditions(bool after) => (
        $"audit_events WHERE account_id = @a AND event_time = @idms AND event_id = @v AND +event_time >= @from AND +event_time <= @to{(after ? UnindexedAfterCursor : "")}",
        $"""
        (SELECT chain_id AS id_chain, seq AS id_seq FROM audit_legacy_event_ids WHERE event_id = @v)
        CROSS JOIN audit_events
        WHERE chain_id = id_chain AND seq = id_seq AND event_id = @v AND +account_id = @a AND event_time >= @from AND event_time <= @to{(after ? AuditAfterCursor : "")}
        """);

    /// <summary>Ranges and legacy event ids of which no event is left (retention keeps each chain's newest event, and its range).</summary>
    protected override async Task DeleteDerivedOlderThanAsync(DbConnection connection, DbTransaction tx, long cutMs, CancellationToken ct)
    {
        await ExecuteAsync(connection, tx, """
            DELETE FROM audit_legacy_event_ids WHERE NOT EXISTS (
                SELECT 1 FROM audit_events e WHERE e.chain_id = audit_legacy_event_ids.chain_id AND e.seq = audit_legacy_event_ids.seq);
            """, ct);
        await using var delete = Command(connection, tx, """
            DELETE FROM audit_resource_seconds WHERE second <= @cutSec AND NOT EXISTS (
                SELECT 1 FROM audit_events e WHERE e.chain_id = audit_resource_seconds.chain_id
                AND e.seq BETWEEN audit_resource_seconds.first_seq AND audit_resource_seconds.last_seq);
            """);
        Add(delete, "cutSec", cutMs / 1000);
        await delete.ExecuteNonQueryAsync(ct);
    }
}
