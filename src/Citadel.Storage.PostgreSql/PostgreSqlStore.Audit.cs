using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
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

    /// <summary>
    /// A record kept in a journal row is read from it: its bytes are a slice of the row's frames. A row
    /// whose journal row is gone reads as an empty record, which verification reports as changed.
    /// </summary>
    protected override string AuditSelectColumns { get; } = HashesAsHex(AuditColumns.Replace(" record,", """
         COALESCE(record, (SELECT convert_from(substring(j.frames FROM audit_events.record_at + 1 FOR audit_events.record_length), 'UTF8')
            FROM audit_journal j WHERE j.chain_id = audit_events.chain_id AND j.first_seq = audit_events.journal_seq), '') AS record,
        """, StringComparison.Ordinal));

    /// <summary>
    /// The hashes are stored as their bytes (bytea, migration 14), half the row space of their hex, and read as
    /// the lowercase hex the chain is computed and verified with.
    /// </summary>
    private static string HashesAsHex(string columns) =>
        columns.Replace(" prev_hash, hash", " encode(prev_hash, 'hex') AS prev_hash, encode(hash, 'hex') AS hash", StringComparison.Ordinal);

    /// <summary>
    /// A chain in sequence order: a record kept in a journal row is sliced from that row's frames, which
    /// come with the first record read of the row (a journal row holds consecutive records) and serve the
    /// ones after it, instead of a lookup and a decompression of the row per record. A row whose first
    /// records retention removed is read on a connection of its own.
    /// </summary>
    public override async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, $"""
            SELECT {HashesAsHex(AuditColumns.Replace(" record,", " COALESCE(record, ''),", StringComparison.Ordinal))}, {ReferenceColumns},
                CASE WHEN seq = GREATEST(journal_seq, @s) THEN (SELECT j.frames FROM audit_journal j WHERE j.chain_id = @c AND j.first_seq = journal_seq) END
            FROM audit_events WHERE chain_id = @c AND seq >= @s ORDER BY seq;
            """);
        Add(command, "c", chainId);
        Add(command, "s", fromSequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var frames = (Row: -1L, Bytes: (byte[]?)null);
        while (await reader.ReadAsync(ct))
        {
            var record = ReadAudit(reader);
            if (reader.IsDBNull(14))
            {
                yield return record;
                continue;
            }

            var row = reader.GetInt64(14);
            if (frames.Row != row)
            {
                frames = (row, reader.IsDBNull(17) ? await ReadJournalRowAsync(chainId, row, ct) : (byte[])reader.GetValue(17));
            }

            var (at, length) = (reader.GetInt32(15), reader.GetInt32(16));
            yield return record with
            {
                Record = frames.Bytes is { } bytes && at >= 0 && length >= 0 && at <= bytes.Length - length ? Encoding.UTF8.GetString(bytes, at, length) : "",
            };
        }
    }

    private async Task<byte[]?> ReadJournalRowAsync(string chainId, long firstSequence, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT frames FROM audit_journal WHERE chain_id = @c AND first_seq = @f;");
        Add(command, "c", chainId);
        Add(command, "f", firstSequence);
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>
    /// The journal rows none of whose events the trail keeps: every frame before the chain's first
    /// retained record (the chain's anchor, its newest record, is never before it, so its row stays).
    /// Rows past the chain head, not derived yet, are after it too.
    /// </summary>
    protected override async Task DeleteRetainedRecordsAsync(DbConnection connection, DbTransaction tx, CancellationToken ct) =>
        await ExecuteAsync(connection, tx, """
            DELETE FROM audit_journal j USING audit_chains c
            WHERE j.chain_id = c.chain_id AND j.first_seq < c.retained_from_seq AND j.last_seq < c.retained_from_seq;
            """, ct);

    /// <summary>The columns of a row whose record is in a journal row: that row's first sequence number, and where the record's bytes are in its frames.</summary>
    private const string ReferenceColumns = "journal_seq, record_at, record_length";

    public override Task AppendAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct) =>
        AppendAsync(chainId, records.Select(r => r.ToRecord(chainId)).ToList(), ct);

    /// <summary>
    /// The indexer's path: committed with synchronous_commit off, so the commit does not wait for
    /// PostgreSQL's WAL flush (a server crash may lose the last such commits, atomically; the journal
    /// rows they came from are durable and derived again). A record whose bytes are in a journal row
    /// (<see cref="AuditRecordUtf8.Segment"/> names the row by its first sequence number) is stored as
    /// a reference into that row, not copied: the journal rows are the record store.
    /// </summary>
    public override async Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct)
    {
        var newHours = ByResource.Unwritten(records);
        List<(string EventId, long Sequence)>? legacyIds = null;
        foreach (var record in records)
        {
            if (!FoundByTime(record.EventId.Span, record.EventTimeMs))
            {
                (legacyIds ??= []).Add((Text(record.EventId), record.Sequence));
            }
        }

        await WriteAsync(async (connection, tx, _) =>
        {
            await using (var relax = Command(connection, tx, "SET LOCAL synchronous_commit = off;"))
            {
                await relax.ExecuteNonQueryAsync(ct);
            }

            await using (var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync($"COPY audit_events ({AuditColumns}, {ReferenceColumns}) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var record in records)
                {
                    await importer.StartRowAsync(ct);
                    await importer.WriteAsync(chainId, NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.Sequence, NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(Text(record.EventId), NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(record.EventTimeMs, NpgsqlDbType.Bigint, ct);
                    await importer.WriteAsync(Text(record.AccountId), NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(Text(record.EventName), NpgsqlDbType.Text, ct);
                    await importer.WriteAsync(Text(record.EventSource), NpgsqlDbType.Text, ct);
                    await WriteNullableAsync(importer, record.Username is { } username ? Text(username) : null, ct);
                    await WriteNullableAsync(importer, record.AccessKeyId is { } accessKeyId ? Text(accessKeyId) : null, ct);
                    await WriteNullableAsync(importer, record.ResourceName is { } resource ? Text(resource) : null, ct);
                    await importer.WriteAsync(record.ReadOnly, NpgsqlDbType.Boolean, ct);
                    if (record.Segment is { } row && long.TryParse(row, NumberStyles.None, CultureInfo.InvariantCulture, out var journalSequence))
                    {
                        await importer.WriteNullAsync(ct);
                        await importer.WriteAsync(record.PreviousHash, NpgsqlDbType.Bytea, ct);
                        await importer.WriteAsync(record.Hash, NpgsqlDbType.Bytea, ct);
                        await importer.WriteAsync(journalSequence, NpgsqlDbType.Bigint, ct);
                        await importer.WriteAsync(checked((int)record.RecordOffset), NpgsqlDbType.Integer, ct);
                        await importer.WriteAsync(record.Record.Length, NpgsqlDbType.Integer, ct);
                    }
                    else
                    {
                        await importer.WriteAsync(Text(record.Record), NpgsqlDbType.Text, ct);
                        await importer.WriteAsync(record.PreviousHash, NpgsqlDbType.Bytea, ct);
                        await importer.WriteAsync(record.Hash, NpgsqlDbType.Bytea, ct);
                        await importer.WriteNullAsync(ct);
                        await importer.WriteNullAsync(ct);
                        await importer.WriteNullAsync(ct);
                    }
                }

                await importer.CompleteAsync(ct);
            }

            await WriteLegacyEventIdsAsync(connection, tx, chainId, legacyIds, ct);
            await WriteHeadAndHoursAsync(connection, tx, chainId, records[0].Sequence - 1, records[^1].Sequence, Convert.ToHexStringLower(records[^1].Hash.Span), newHours, ct);
        }, ct);
        ByResource.Committed(newHours);
    }

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
    /// One prepared statement outside a transaction block, on a connection kept for it
    /// (<see cref="JournalCommits"/>): it commits by itself (and waits for the WAL flush) in one round
    /// trip, where BEGIN … COMMIT took two. The audit writer has several of these in flight. It takes the
    /// chain's lock shared and waits for the WAL flush (see <see cref="JournalCommits"/>).
    /// </summary>
    public Task AppendJournalAsync(string chainId, long firstSequence, long lastSequence, ReadOnlyMemory<byte> frames, CancellationToken ct) =>
        _journalCommits.AppendAsync(chainId, firstSequence, lastSequence, frames, ct);

    /// <summary>
    /// The chains whose newest journal row ends past their head in the trail (or that have no head yet), with the
    /// head and that row's end. The rows stay after they are derived, so the chains are found by a walk of the
    /// primary key from its end, not a scan of every row the retention period keeps: each step, one seek, finds
    /// the next chain down and its newest row at once (a walk up found each chain, then its newest row, two seeks:
    /// 743 buffers for 100 chains against 441). Every read of the trail on a server runs it (measured with
    /// scripts/audit-pg-chains-cost.sh: docs/audit.md, "Reads and the other nodes' chains").
    /// </summary>
    public async Task<IReadOnlyList<AuditJournalChain>> ListJournalChainsAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("""
            WITH RECURSIVE newest (chain_id, last_seq) AS (
                (SELECT chain_id, last_seq FROM audit_journal ORDER BY chain_id DESC, first_seq DESC LIMIT 1)
                UNION ALL
                SELECT j.chain_id, j.last_seq FROM newest CROSS JOIN LATERAL (
                    SELECT chain_id, last_seq FROM audit_journal WHERE chain_id < newest.chain_id ORDER BY chain_id DESC, first_seq DESC LIMIT 1) j)
            SELECT newest.chain_id, COALESCE(c.head_seq, 0), newest.last_seq FROM newest
            LEFT JOIN audit_chains c ON c.chain_id = newest.chain_id
            WHERE newest.last_seq > COALESCE(c.head_seq, 0)
            ORDER BY newest.chain_id;
            """);
        return await ReadAllAsync(command, r => new AuditJournalChain(r.GetString(0), r.GetInt64(1), r.GetInt64(2)), ct);
    }

    public Task<IAsyncDisposable?> TryClaimChainAsync(string chainId, CancellationToken ct) => TryClaimChainAsync(chainId, forWriting: false, ct);

    public Task<IAsyncDisposable?> TryClaimChainForWritingAsync(string chainId, CancellationToken ct) => TryClaimChainAsync(chainId, forWriting: true, ct);

    /// <summary>
    /// A session advisory lock on a connection kept open: it ends with the node's session. Taken
    /// exclusively (no one else holds it); the writer's then becomes shared, which its own journal
    /// commits take too, and which still keeps every other claim out.
    /// </summary>
    private async Task<IAsyncDisposable?> TryClaimChainAsync(string chainId, bool forWriting, CancellationToken ct)
    {
        var connection = await _dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var take = new NpgsqlCommand(forWriting
                ? """
                  SELECT CASE WHEN pg_try_advisory_lock(@class, hashtext(@chain))
                      THEN pg_try_advisory_lock_shared(@class, hashtext(@chain)) AND pg_advisory_unlock(@class, hashtext(@chain)) ELSE false END;
                  """
                : "SELECT pg_try_advisory_lock(@class, hashtext(@chain));", connection);
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

    public void DerivedCommitsLost() => ByResource.Forget();

    public async Task<IReadOnlyList<AuditJournalRow>> ReadJournalAsync(string chainId, long afterSequence, CancellationToken ct)
    {
        // Rows are consecutive runs: those ending after the sequence begin at most one row before it.
        await using var command = _dataSource.CreateCommand("""
            SELECT first_seq, frames FROM audit_journal WHERE chain_id = @c AND last_seq > @s
            AND first_seq >= COALESCE((SELECT max(first_seq) FROM audit_journal WHERE chain_id = @c AND first_seq <= @s), 0)
            ORDER BY first_seq;
            """);
        Add(command, "c", chainId);
        Add(command, "s", afterSequence);
        return await ReadAllAsync(command, r => new AuditJournalRow(r.GetInt64(0), (byte[])r.GetValue(1)), ct);
    }

    /// <summary>Holds a chain's advisory lock until disposed (closing the session releases it).</summary>
    private sealed class ChainClaim(NpgsqlConnection connection) : IAuditChainClaim
    {
        /// <summary>The lock lives as long as the session: a round trip on it says whether it still does.</summary>
        public async Task<bool> IsHeldAsync(CancellationToken ct)
        {
            try
            {
                await using var ping = new NpgsqlCommand("SELECT 1;", connection);
                await ping.ExecuteScalarAsync(ct);
                return true;
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
            {
                return false;
            }
        }

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

    public override async Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        var newHours = ByResource.Unwritten(records);
        var digests = records.Select(r => (Previous: Digest(r.PreviousHash), Hash: Digest(r.Hash))).ToList();
        var legacyIds = records.Where(r => !FoundByTime(r)).Select(r => (r.EventId, r.Sequence)).ToList();
        await WriteAsync(async (connection, tx, _) =>
        {
            // One round trip for the batch: COPY is the fastest way PostgreSQL takes many rows.
            await using (var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync($"COPY audit_events ({AuditColumns}) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var (record, digest) in records.Zip(digests))
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
                    await importer.WriteAsync(digest.Previous, NpgsqlDbType.Bytea, ct);
                    await importer.WriteAsync(digest.Hash, NpgsqlDbType.Bytea, ct);
                }

                await importer.CompleteAsync(ct);
            }

            await WriteLegacyEventIdsAsync(connection, tx, chainId, legacyIds, ct);
            await WriteHeadAndHoursAsync(connection, tx, chainId, records[0].Sequence - 1, records[^1].Sequence, records[^1].Hash, newHours, ct);
        }, ct);
        ByResource.Committed(newHours);
    }

    /// <summary>
    /// The chain head after a batch, and the resource hours it used first, in the batch's transaction.
    /// The head moves only from <paramref name="previous"/> (the record before the batch, or a gap record
    /// that stands for it; 0: the chain has none yet), or the batch fails with <see cref="AuditChainMovedException"/>: a derived commit
    /// made without waiting for the WAL flush can be lost in a server crash while its writer goes on,
    /// and a commit whose reply was lost, or another node deriving the chain, can have moved it. Without
    /// the check the trail would go on past a hole, or take a record twice.
    /// </summary>
    private async Task WriteHeadAndHoursAsync(DbConnection connection, DbTransaction tx, string chainId, long previous, long sequence, string hash, List<(string Resource, long Hour)> newHours, CancellationToken ct)
    {
        await using (var head = Command(connection, tx, previous == 0
            ? """
              INSERT INTO audit_chains (chain_id, head_seq, head_hash, retained_from_seq) VALUES (@c, @s, @h, 1)
              ON CONFLICT (chain_id) DO UPDATE SET head_seq = @s, head_hash = @h WHERE audit_chains.head_seq = 0;
              """
            : """
              UPDATE audit_chains c SET head_seq = @s, head_hash = @h WHERE chain_id = @c AND (head_seq = @p OR head_seq < @p AND EXISTS (
                  SELECT 1 FROM audit_events e WHERE e.chain_id = @c AND e.seq = c.head_seq AND e.event_name = 'AuditGap'
                  AND (e.record::jsonb -> 'additionalEventData' ->> 'lostLastSequence')::bigint = @p));
              """))
        {
            Add(head, "c", chainId);
            Add(head, "s", sequence);
            Add(head, "h", hash);
            Add(head, "p", previous);
            if (await head.ExecuteNonQueryAsync(ct) != 1)
            {
                throw new AuditChainMovedException(chainId, previous);
            }
        }

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
                    SELECT {AuditSelectColumns} FROM audit_events
                    WHERE (event_time / 1000) = s.sec AND {AuditResourceIs("@v")} AND account_id = @a
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

    /// <summary>
    /// The index by second and resource holds the resource's hash (migration 14), not its ARN: a quarter of the
    /// entry. The ARN is compared on the row the entry leads to.
    /// </summary>
    protected override string AuditResourceIs(string value) => $"hashtext(resource_name) = hashtext({value}) AND resource_name = {value}";

    /// <summary>No index by event id (migration 14; see <see cref="EventIdConditions"/>): an entry per event less.</summary>
    protected override (string ByTime, string Legacy) EventIdConditions(bool after) => (
        $"audit_events WHERE account_id = @a AND event_time = @idms AND event_id = @v AND event_time >= @from AND event_time <= @to{(after ? AuditAfterCursor : "")}",
        $"""
        audit_events WHERE (chain_id, seq) IN (SELECT l.chain_id, l.seq FROM audit_legacy_event_ids l WHERE l.event_id = @v)
        AND event_id = @v AND account_id = @a AND event_time >= @from AND event_time <= @to{(after ? AuditAfterCursor : "")}
        """);

    /// <summary>Legacy event ids of which no event is left (retention keeps each chain's newest event).</summary>
    protected override async Task DeleteDerivedOlderThanAsync(DbConnection connection, DbTransaction tx, long cutMs, CancellationToken ct) =>
        await ExecuteAsync(connection, tx, """
            DELETE FROM audit_legacy_event_ids l WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.chain_id = l.chain_id AND e.seq = l.seq);
            """, ct);

    /// <summary>The ids of a batch's events not found by their time, in the batch's transaction (another writer may have taken them before a lost reply).</summary>
    private async Task WriteLegacyEventIdsAsync(DbConnection connection, DbTransaction tx, string chainId, List<(string EventId, long Sequence)>? ids, CancellationToken ct)
    {
        if (ids is not { Count: > 0 })
        {
            return;
        }

        await using var insert = Command(connection, tx, """
            INSERT INTO audit_legacy_event_ids (event_id, chain_id, seq) SELECT e, @c, s FROM unnest(@e, @s) AS u(e, s) ON CONFLICT DO NOTHING;
            """);
        Add(insert, "c", chainId);
        Add(insert, "e", ids.Select(i => i.EventId).ToArray());
        Add(insert, "s", ids.Select(i => i.Sequence).ToArray());
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A hash as the bytes stored (migration 14): the chain's hashes are lowercase hex, which is what reading
    /// them gives back; anything else would not read back as written, so it is refused.
    /// </summary>
    private static byte[] Digest(string hex) =>
        hex.Length % 2 == 0 && !hex.AsSpan().ContainsAnyExcept(LowercaseHex)
            ? Convert.FromHexString(hex)
            : throw new ArgumentException($"An audit hash must be lowercase hexadecimal (of SHA-256), not \"{hex}\".", nameof(hex));

    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

    private static string Text(ReadOnlyMemory<byte> utf8) => Encoding.UTF8.GetString(utf8.Span);

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
