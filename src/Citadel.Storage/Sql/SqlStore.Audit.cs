using System.Data.Common;
using System.Runtime.CompilerServices;
using Citadel.Core.Audit;

namespace Citadel.Storage.Sql;

/// <summary>
/// The audit trail's queryable store: hash chains (one per writer), each batch and its chain head in
/// one transaction. The batch append is the provider's (SQLite binds UTF-8 through its C API,
/// PostgreSQL uses COPY), and so is the lookup by resource; the rest is here.
/// </summary>
internal abstract partial class SqlStore
{
    protected const string AuditColumns = "chain_id, seq, event_id, event_time, account_id, event_name, event_source, username, access_key_id, resource_name, read_only, record, prev_hash, hash";

    /// <summary>
    /// <see cref="AuditColumns"/> as a query reads them: a store that keeps some records outside their rows
    /// (PostgreSQL: in the journal rows) replaces <c>record</c> with what resolves them.
    /// </summary>
    protected virtual string AuditSelectColumns => AuditColumns;

    private const string ChainHeadColumns = "chain_id, head_seq, head_hash, retained_from_seq";

    /// <summary>The resource hours written so far (see <see cref="AuditByResource"/>).</summary>
    protected AuditByResource ByResource { get; } = new();

    /// <summary>The condition "before the cursor (@ct, @cc, @cs)" in newest-first order, as the dialect's indexes serve it best.</summary>
    protected abstract string AuditAfterCursor { get; }

    public abstract Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct);

    public abstract Task AppendAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct);

    public abstract Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct);

    public abstract Task SyncDerivedAsync(CancellationToken ct);

    /// <summary>Events of one resource (<see cref="AuditQuery.AttributeValue"/>), newest first, at most Limit + 1.</summary>
    protected abstract Task<List<AuditRecord>> LookupByResourceAsync(AuditQuery query, CancellationToken ct);

    public async Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct)
    {
        var heads = await QueryAsync($"SELECT {ChainHeadColumns} FROM audit_chains WHERE chain_id = @c;", command => Add(command, "c", chainId), ReadChainHead, ct);
        return heads.Count == 0 ? null : heads[0];
    }

    public async Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct) =>
        await QueryAsync($"SELECT {ChainHeadColumns} FROM audit_chains ORDER BY chain_id;", null, ReadChainHead, ct);

    public virtual async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, $"SELECT {AuditColumns} FROM audit_events WHERE chain_id = @c AND seq >= @s ORDER BY seq;");
        Add(command, "c", chainId);
        Add(command, "s", fromSequence);
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

        if (query.Attribute == AuditLookupKey.EventId)
        {
            return AuditByResource.Page(await LookupByEventIdAsync(query, EventIdConditions(query.After is not null), ct), query.Limit);
        }

        var column = query.Attribute switch
        {
            AuditLookupKey.EventName => "event_name",
            AuditLookupKey.ReadOnly => "read_only",
            AuditLookupKey.Username => "username",
            AuditLookupKey.EventSource => "event_source",
            AuditLookupKey.AccessKeyId => "access_key_id",
            AuditLookupKey.ResourceType => "'AWS::KMS::Key'",
            _ => null,
        };
        var filter = column is null ? "" : $" AND {column} = @v";
        var cursor = query.After is null ? "" : AuditAfterCursor;
        var records = await QueryAsync($"""
            SELECT {AuditSelectColumns} FROM audit_events
            WHERE account_id = @a AND event_time >= @from AND event_time <= @to{filter}{cursor}
            ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT @limit;
            """, command =>
            {
                var (from, to) = TimeRange(query);
                BindLookup(command, query, from, to);
                Add(command, "limit", query.Limit + 1);
                if (column is not null)
                {
                    Add(command, "v", query.Attribute == AuditLookupKey.ReadOnly
                        ? (object)string.Equals(query.AttributeValue, "true", StringComparison.OrdinalIgnoreCase)
                        : query.AttributeValue ?? "");
                }
            }, ReadAudit, ct);
        return AuditByResource.Page(records, query.Limit);
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            // Keep each chain's newest record, so the chain head stays anchored; record where each chain now starts.
            var cut = cutoff.ToUnixTimeMilliseconds();
            await using var delete = Command(connection, tx, """
                DELETE FROM audit_events WHERE event_time / 1000 <= @cutSec AND event_time < @cut
                AND seq < (SELECT head_seq FROM audit_chains WHERE audit_chains.chain_id = audit_events.chain_id);
                """);
            Add(delete, "cut", cut);
            Add(delete, "cutSec", cut / 1000);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            await ExecuteAsync(connection, tx, """
                UPDATE audit_chains SET retained_from_seq = COALESCE((SELECT MIN(seq) FROM audit_events WHERE audit_events.chain_id = audit_chains.chain_id), head_seq + 1);
                """, ct);

            // Hours wholly before the cutoff keep a row only for a chain's anchor record left in them.
            await using var hours = Command(connection, tx, $"""
                DELETE FROM audit_resource_hours WHERE hour < @cutHour AND NOT EXISTS (
                    SELECT 1 FROM audit_events
                    WHERE event_time / 1000 >= hour * 3600 AND event_time / 1000 < (hour + 1) * 3600
                    AND {AuditResourceIs("audit_resource_hours.resource_name")});
                """);
            Add(hours, "cutHour", cut / AuditByResource.MsPerHour);
            await hours.ExecuteNonQueryAsync(ct);
            await DeleteDerivedOlderThanAsync(connection, tx, cut, ct);

            // A chain's anchor outlives the journal segment its record is in (the retention job removes segments
            // older than the cutoff after this): the record moves into the row. Found by the chain heads, not a scan.
            await using var anchors = Command(connection, tx, """
                SELECT e.chain_id, e.seq, e.record FROM audit_chains c JOIN audit_events e ON e.chain_id = c.chain_id AND e.seq = c.head_seq
                WHERE e.event_time < @cut AND substr(e.record, 1, 1) = '@';
                """);
            Add(anchors, "cut", cut);
            var referring = await ReadAllAsync(anchors, r => (Chain: r.GetString(0), Sequence: r.GetInt64(1), Stored: r.GetString(2)), ct);
            foreach (var (chain, sequence, stored) in referring)
            {
                await using var inline = Command(connection, tx, "UPDATE audit_events SET record = @r WHERE chain_id = @c AND seq = @s;");
                Add(inline, "r", StoredRecord(stored));
                Add(inline, "c", chain);
                Add(inline, "s", sequence);
                await inline.ExecuteNonQueryAsync(ct);
            }

            await DeleteRetainedRecordsAsync(connection, tx, ct);
            return deleted;
        }, ct);

    /// <summary>The condition "the event's resource_name is <paramref name="value"/>" (an SQL expression), as the dialect's index by second and resource serves it.</summary>
    protected virtual string AuditResourceIs(string value) => $"resource_name = {value}";

    /// <summary>In retention's transaction, after the rows went: removes what held records no row refers to any more (PostgreSQL: journal rows).</summary>
    protected virtual Task DeleteRetainedRecordsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Moves a chain's head to the last record of a batch, in the batch's transaction.</summary>
    protected async Task WriteChainHeadAsync(DbConnection connection, DbTransaction tx, string chainId, long sequence, string hash, CancellationToken ct)
    {
        await using var head = Command(connection, tx, """
            INSERT INTO audit_chains (chain_id, head_seq, head_hash, retained_from_seq) VALUES (@c, @s, @h, 1)
            ON CONFLICT (chain_id) DO UPDATE SET head_seq = @s, head_hash = @h;
            """);
        Add(head, "c", chainId);
        Add(head, "s", sequence);
        Add(head, "h", hash);
        await head.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The FROM and WHERE clauses of a lookup by event id (neither store keeps an index by event id):
    /// <c>ByTime</c> finds a version-7 id at its millisecond <c>@idms</c> (through the index by account
    /// and time), <c>Legacy</c> an id listed in <c>audit_legacy_event_ids</c>; each with the cursor condition when
    /// <paramref name="after"/>. The id is <c>@v</c>, the account <c>@a</c>, the range <c>@from</c>–<c>@to</c>.
    /// </summary>
    protected abstract (string ByTime, string Legacy) EventIdConditions(bool after);

    /// <summary>
    /// The event whose id is <see cref="AuditQuery.AttributeValue"/> (at most Limit + 1 records), by <see cref="EventIdConditions"/>:
    /// a version-7 event id (what the service makes) holds the event's time to the millisecond, which the verifier
    /// checks against the row; another id (the random ones older versions wrote), or a version-7 one not of its
    /// event's time, is in <c>audit_legacy_event_ids</c>, read when the first way finds nothing.
    /// </summary>
    private async Task<List<AuditRecord>> LookupByEventIdAsync(AuditQuery query, (string ByTime, string Legacy) conditions, CancellationToken ct)
    {
        var eventId = query.AttributeValue ?? "";
        var (from, to) = TimeRange(query);
        if (AuditEventIds.TimeMs(eventId) is { } timeMs)
        {
            var byTime = await QueryAsync(EventIdQuery(conditions.ByTime), command =>
            {
                BindEventId(command, query, eventId, from, to);
                Add(command, "idms", timeMs);
            }, ReadAudit, ct);
            if (byTime.Count > 0)
            {
                return byTime;
            }
        }

        return await QueryAsync(EventIdQuery(conditions.Legacy), command => BindEventId(command, query, eventId, from, to), ReadAudit, ct);
    }

    private string EventIdQuery(string fromWhere) => $"""
        SELECT {AuditSelectColumns} FROM {fromWhere}
        ORDER BY event_time DESC, chain_id DESC, seq DESC LIMIT @limit;
        """;

    private void BindEventId(DbCommand command, AuditQuery query, string eventId, long from, long to)
    {
        BindLookup(command, query, from, to);
        Add(command, "v", eventId);
        Add(command, "limit", query.Limit + 1);
    }

    /// <summary>Whether a lookup finds the event by its id's time (<see cref="EventIdConditions"/>): a version-7 id of the event's millisecond, as the service makes them.</summary>
    protected static bool FoundByTime(ReadOnlySpan<byte> eventId, long eventTimeMs) => AuditEventIds.TimeMs(eventId) == eventTimeMs;

    /// <summary>Whether a lookup finds <paramref name="record"/> by its id's time (as <see cref="FoundByTime(ReadOnlySpan{byte}, long)"/>).</summary>
    protected static bool FoundByTime(AuditRecord record) => AuditEventIds.TimeMs(record.EventId) == record.EventTime.ToUnixTimeMilliseconds();

    /// <summary>The query's time range in milliseconds, unbounded where it names no time.</summary>
    protected static (long From, long To) TimeRange(AuditQuery query) =>
        (query.StartTime is { } from ? from.ToUnixTimeMilliseconds() : long.MinValue, query.EndTime is { } to ? to.ToUnixTimeMilliseconds() : long.MaxValue);

    /// <summary>Retention, in its transaction, once the events before <paramref name="cutMs"/> are deleted: what the provider derived from them alone.</summary>
    protected virtual Task DeleteDerivedOlderThanAsync(DbConnection connection, DbTransaction tx, long cutMs, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The resource's hours in the query's range, newest first.</summary>
    protected async Task<List<long>> ResourceHoursAsync(DbConnection connection, string resource, long from, long to, CancellationToken ct)
    {
        await using var hours = Command(connection, null, """
            SELECT hour FROM audit_resource_hours WHERE resource_name = @r AND hour >= @from AND hour <= @to ORDER BY hour DESC;
            """);
        Add(hours, "r", resource);
        Add(hours, "from", from / AuditByResource.MsPerHour);
        Add(hours, "to", to / AuditByResource.MsPerHour);
        return await ReadAllAsync(hours, r => r.GetInt64(0), ct);
    }

    protected void BindLookup(DbCommand command, AuditQuery query, long from, long to)
    {
        Add(command, "a", query.AccountId);
        Add(command, "from", from);
        Add(command, "to", to);
        if (query.After is { } after)
        {
            Add(command, "ct", after.TimeMs);
            Add(command, "cc", after.ChainId);
            Add(command, "cs", after.Sequence);
        }
    }

    public virtual string? SegmentsDataDirectory => null;

    /// <summary>The record a row stores: the record itself, or for a store that keeps records in journal segments, the record its reference points to.</summary>
    protected virtual string StoredRecord(string stored) => stored;

    protected AuditRecord ReadAudit(DbDataReader r) => new(
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
        StoredRecord(r.GetString(11)),
        r.GetString(12),
        r.GetString(13));

    private static AuditChainHead ReadChainHead(DbDataReader r) => new(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3));
}
