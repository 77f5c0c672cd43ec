using System.Data;
using System.Data.Common;
using System.Text;
using Citadel.Core.Audit;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
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
        await WriteAsync(async (connection, tx, _) =>
        {
            var handle = ((SqliteConnection)connection).Handle!;
            var prepared = raw.sqlite3_prepare_v2(handle, $"INSERT INTO audit_events ({AuditColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14);", out var insert);
            using (insert)
            {
                Check(prepared, handle);
                insertAll(insert);
            }

            await WriteChainHeadAsync(connection, tx, chainId, lastSequence, lastHash, ct);

            if (newHours.Count > 0)
            {
                await using var hours = Command(connection, tx, "INSERT INTO audit_resource_hours (resource_name, hour) VALUES (@r, @h) ON CONFLICT DO NOTHING;");
                var resource = Add(hours, "r", null, DbType.String);
                var hour = Add(hours, "h", null, DbType.Int64);
                foreach (var (name, at) in newHours)
                {
                    resource.Value = name;
                    hour.Value = at;
                    await hours.ExecuteNonQueryAsync(ct);
                }
            }
        }, ct, derived);
        ByResource.Committed(newHours);
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

    /// <summary>Events of one resource, newest first (see <see cref="AuditByResource"/>): one seek per second of the hours it was used in.</summary>
    protected override async Task<List<AuditRecord>> LookupByResourceAsync(AuditQuery query, CancellationToken ct)
    {
        if (AuditByResource.Range(query, Time.GetUtcNow()) is not var (from, to) || query.AttributeValue is not { } resource)
        {
            return [];
        }

        await using var connection = await OpenAsync(ct);
        var used = await ResourceHoursAsync(connection, resource, from, to, ct);

        await using var second = Command(connection, null, $"""
            SELECT {AuditColumns} FROM audit_events INDEXED BY audit_by_second_resource
            WHERE event_time / 1000 = @sec AND resource_name = @v AND account_id = @a
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
}
