using System.Globalization;
using System.Text;
using Citadel.Core.Audit;
using Npgsql;

namespace Citadel.Storage.PostgreSql.Tests;

/// <summary>
/// The journal rows as the record store (migration 13): a derived event's row refers to its record's
/// bytes in the journal row instead of holding a copy, every read resolves it, retention removes the
/// journal rows with their events, and rows written before the migration read as they were.
/// </summary>
public sealed class AuditJournalRecordStoreTests : PostgresTestBase
{
    private const string Account = "111122223333";
    private const string Key = "arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-0000-0000-0000-000000000000";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task Derived_records_are_kept_only_in_the_journal_row_and_read_back_by_every_read()
    {
        var (records, hashes) = Chain(1, 3, AuditChain.Genesis, Now);
        await AppendJournalAndDeriveAsync("c1", records, hashes);

        Assert.Equal(0L, await ScalarAsync("SELECT count(record) FROM audit_events;"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM audit_journal;"));
        await AssertReadsAsync("c1", records);
        Assert.Equal(records.Skip(1), await ReadChainAsync(Store, "c1", from: 2));
        if (await ScalarAsync("SELECT current_setting('server_version_num')::bigint;") >= 140000)
        {
            // PostgreSQL 14 and later built with LZ4 (as Debian's and the official images are): the frames are compressed with it.
            Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM pg_attribute WHERE attrelid = 'audit_journal'::regclass AND attname = 'frames' AND attcompression = 'l';"));
        }

        var verified = await AuditChain.VerifyAsync("c1", Store.ReadChainAsync("c1", 1, Ct), await Store.GetChainHeadAsync("c1", Ct), Ct);
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    [Fact]
    public async Task Rows_written_before_migration_13_read_as_they_were_beside_rows_written_after_it()
    {
        var (old, oldHashes) = Chain(1, 2, AuditChain.Genesis, Now);
        var (recent, recentHashes) = Chain(3, 2, oldHashes[^1], Now.AddSeconds(10));

        // Back to schema 12: the record in every row, no reference columns; the events as version 12 wrote them.
        await ExecuteAsync("""
            ALTER TABLE audit_events DROP COLUMN journal_seq, DROP COLUMN record_at, DROP COLUMN record_length;
            ALTER TABLE audit_events ALTER COLUMN record SET NOT NULL;
            DELETE FROM schema_version WHERE version = 13;
            """);
        await Store.AppendAsync("c1", old, Ct);

        var store = NewStore();
        await store.MigrateAsync(Ct);
        await AppendJournalAndDeriveAsync("c1", recent, recentHashes, store);

        Assert.Equal(2L, await ScalarAsync("SELECT count(record) FROM audit_events;"));
        var all = old.Concat(recent).ToList();
        var read = await ReadChainAsync(store, "c1");
        Assert.Equal(all, read);
        var verified = AuditChain.Verify("c1", read, await store.GetChainHeadAsync("c1", Ct));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        var (byName, _) = await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventName, "Encrypt", 50, null), Ct);
        Assert.Equal([4L, 3L, 2L, 1L], byName.Select(r => r.Sequence));
        Assert.Equal(all.OrderByDescending(r => r.Sequence), byName);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Rows_written_before_migration_14_are_converted_and_looked_up_read_and_verified_as_before()
    {
        // Derived rows (records in the journal row) with version-7 ids of their time, then inline rows, one with a random id.
        var (derived, derivedHashes) = Chain(1, 3, AuditChain.Genesis, Now);
        await AppendJournalAndDeriveAsync("c1", derived, derivedHashes);
        var (inline, _) = Chain(4, 2, derivedHashes[^1], Now.AddSeconds(5), randomIdAt: 5);
        await Store.AppendAsync("c1", inline, Ct);

        // Another chain: a version-7 id not of its event's time (not found by time).
        var (elsewhere, _) = Chain(1, 1, AuditChain.Genesis, Now.AddSeconds(20));
        var offTime = elsewhere[0] with { ChainId = "c2", EventId = Guid.CreateVersion7(Now.AddDays(-1)).ToString("D") };
        await Store.AppendAsync("c2", [offTime], Ct);
        var all = derived.Concat(inline).ToList();
        var before = await LookupsAsync(Store, all.Append(offTime));

        // Back to schema 13: the hashes as hex text, the index by event id, the index by second and resource with the ARN.
        await ExecuteAsync("""
            DROP TABLE audit_legacy_event_ids;
            DROP INDEX audit_by_second_resource;
            ALTER TABLE audit_events ALTER COLUMN prev_hash TYPE text USING encode(prev_hash, 'hex'), ALTER COLUMN hash TYPE text USING encode(hash, 'hex');
            CREATE INDEX audit_by_event_id ON audit_events (event_id);
            CREATE INDEX audit_by_second_resource ON audit_events ((event_time / 1000), resource_name);
            DELETE FROM schema_version WHERE version = 14;
            """);
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM audit_events WHERE chain_id = 'c1' AND seq = 2 AND hash = '{derivedHashes[1]}';"));

        var store = NewStore();
        await store.MigrateAsync(Ct);

        Assert.Equal(2L, await ScalarAsync("SELECT count(*) FROM information_schema.columns WHERE table_name = 'audit_events' AND column_name IN ('prev_hash', 'hash') AND data_type = 'bytea' AND table_schema = current_schema();"));
        Assert.Equal([inline[1].EventId, offTime.EventId], await ReadAllAsync<string>("SELECT event_id FROM audit_legacy_event_ids ORDER BY chain_id, seq;"));
        Assert.Equal(before, await LookupsAsync(store, all.Append(offTime)));
        Assert.Equal(all, await ReadChainAsync(store, "c1"));
        var verified = await AuditChain.VerifyAsync("c1", store.ReadChainAsync("c1", 1, Ct), await store.GetChainHeadAsync("c1", Ct), Ct);
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));

        // A lookup column edited after the conversion is still found by verification.
        await ExecuteAsync("UPDATE audit_events SET event_name = 'Decrypt' WHERE chain_id = 'c1' AND seq = 2;");
        var edited = await AuditChain.VerifyAsync("c1", store.ReadChainAsync("c1", 1, Ct), await store.GetChainHeadAsync("c1", Ct), Ct);
        Assert.StartsWith($"record 2 (event {derived[1].EventId}): column event_name holds ", Assert.Single(edited.Problems), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Derived_rows_keep_their_hashes_as_bytes_and_only_ids_not_of_their_time_in_the_legacy_table()
    {
        var (records, hashes) = Chain(1, 3, AuditChain.Genesis, Now, randomIdAt: 2);
        await AppendJournalAndDeriveAsync("c1", records, hashes);

        Assert.Equal(32L, await ScalarAsync("SELECT max(octet_length(hash)) FROM audit_events;"));
        Assert.Equal([records[1].EventId], await ReadAllAsync<string>("SELECT event_id FROM audit_legacy_event_ids;"));
        foreach (var record in records)
        {
            var (found, _) = await Store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventId, record.EventId, 50, null), Ct);
            Assert.Equal([record], found);
        }

        // Retention keeps the chain's newest event (3): the legacy id of 2 goes with its event.
        await Store.DeleteOlderThanAsync(Now.AddDays(1), Ct);
        Assert.Empty(await ReadAllAsync<string>("SELECT event_id FROM audit_legacy_event_ids;"));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_hash_that_is_not_lowercase_hex_is_refused_as_it_would_not_read_back_as_written()
    {
        var (records, _) = Chain(1, 1, AuditChain.Genesis, Now);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync("c1", [records[0] with { Hash = records[0].Hash.ToUpperInvariant() }], Ct));

        Assert.StartsWith("An audit hash must be lowercase hexadecimal", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM audit_events;"));
    }

    /// <summary>What LookupEvents answers for each record: by its id, and every event by name and by resource.</summary>
    private static async Task<List<List<AuditRecord>>> LookupsAsync(PostgreSqlStore store, IEnumerable<AuditRecord> records)
    {
        var answers = new List<List<AuditRecord>>();
        foreach (var record in records)
        {
            answers.Add((await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventId, record.EventId, 50, null), Ct)).Records.ToList());
        }

        answers.Add((await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventName, "Encrypt", 50, null), Ct)).Records.ToList());
        answers.Add((await store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.ResourceName, Key, 50, null), Ct)).Records.ToList());
        Assert.All(answers, a => Assert.NotEmpty(a));
        return answers;
    }

    [Fact]
    public async Task Retention_removes_the_journal_rows_of_the_events_it_removes_and_keeps_the_anchors_row()
    {
        var (old, oldHashes) = Chain(1, 2, AuditChain.Genesis, Now.AddDays(-10));
        await AppendJournalAndDeriveAsync("c1", old, oldHashes);
        var (anchor, anchorHashes) = Chain(3, 2, oldHashes[^1], Now.AddDays(-9));
        await AppendJournalAndDeriveAsync("c1", anchor, anchorHashes);

        // Every event is past the cutoff: the chain keeps its newest (4) as its anchor, and 4's journal row.
        Assert.Equal(3, await Store.DeleteOlderThanAsync(Now.AddDays(-1), Ct));

        Assert.Equal([3L], await ReadAllAsync<long>("SELECT first_seq FROM audit_journal ORDER BY first_seq;"));
        var read = await ReadChainAsync(Store, "c1");
        Assert.Equal([anchor[1]], read);
        var verified = AuditChain.Verify("c1", read, await Store.GetChainHeadAsync("c1", Ct));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    [Fact]
    public async Task A_chain_is_listed_for_deriving_only_while_its_journal_has_rows_past_its_head()
    {
        var (records, hashes) = Chain(1, 2, AuditChain.Genesis, Now);
        await Store.AppendJournalAsync("c1", 1, 2, Frames(records, out _), Ct);
        await Store.AppendJournalAsync("c2", 1, 2, Frames(records, out _), Ct);
        Assert.Equal([new AuditJournalChain("c1", 0, 2), new AuditJournalChain("c2", 0, 2)], await Store.ListJournalChainsAsync(Ct));

        var (next, nextHashes) = Chain(3, 1, hashes[^1], Now);
        await AppendJournalAndDeriveAsync("c1", next, nextHashes, deriveFrom: (records, hashes));
        await Store.AppendJournalAsync("c2", 3, 5, Frames(Chain(3, 3, hashes[^1], Now).Records, out _), Ct);

        Assert.Equal([new AuditJournalChain("c2", 0, 5)], await Store.ListJournalChainsAsync(Ct));
        Assert.Equal([3L], (await Store.ReadJournalAsync("c1", 2, Ct)).Select(r => r.FirstSequence));
        Assert.Equal([1L, 3L], (await Store.ReadJournalAsync("c1", 0, Ct)).Select(r => r.FirstSequence));
        Assert.Empty(await Store.ReadJournalAsync("c1", 3, Ct));

        // A row past a head: listed with the head and the row's end.
        await Store.AppendJournalAsync("c1", 4, 4, Frames(Chain(4, 1, nextHashes[^1], Now).Records, out _), Ct);
        Assert.Equal([new AuditJournalChain("c1", 3, 4), new AuditJournalChain("c2", 0, 5)], await Store.ListJournalChainsAsync(Ct));
    }

    [Fact]
    public async Task A_record_whose_journal_row_is_gone_reads_as_empty_and_verification_reports_it()
    {
        var (records, hashes) = Chain(1, 2, AuditChain.Genesis, Now);
        await AppendJournalAndDeriveAsync("c1", records, hashes);
        await ExecuteAsync("DELETE FROM audit_journal;");

        var read = await ReadChainAsync(Store, "c1");
        Assert.All(read, r => Assert.Equal("", r.Record));
        var (byName, _) = await Store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventName, "Encrypt", 50, null), Ct);
        Assert.All(byName, r => Assert.Equal("", r.Record));
        Assert.False(AuditChain.Verify("c1", read, await Store.GetChainHeadAsync("c1", Ct)).Intact);
    }

    [Fact]
    public async Task A_derived_append_that_does_not_continue_the_stored_head_writes_nothing_and_says_so()
    {
        var (records, hashes) = Chain(1, 6, AuditChain.Genesis, Now);
        await AppendJournalAndDeriveAsync("c1", records[..3], hashes[..3]);

        // 4 was derived and its commit lost (a crash of the server: derived commits do not wait for the WAL flush); 5 comes next.
        var frames = Frames(records[4..], out var at);
        await Store.AppendJournalAsync("c1", 5, 6, frames, Ct);
        var moved = await Assert.ThrowsAsync<AuditChainMovedException>(() => Store.AppendDerivedAsync("c1", Utf8Records(records[4..], hashes[4..], frames, at), Ct));
        Assert.Equal(4, moved.ExpectedHead);

        // A retry of a commit that happened (its reply lost) takes nothing twice either.
        frames = Frames(records[1..3], out at);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendDerivedAsync("c1", Utf8Records(records[1..3], hashes[1..3], frames, at), Ct));

        Assert.Equal(3, (await Store.GetChainHeadAsync("c1", Ct))!.Sequence);
        Assert.Equal(3L, await ScalarAsync("SELECT count(*) FROM audit_events;"));
    }

    [Fact]
    public async Task After_a_gap_record_the_head_moves_on_from_the_last_number_it_stands_for()
    {
        var (records, hashes) = Chain(1, 2, AuditChain.Genesis, Now);
        await AppendJournalAndDeriveAsync("c1", records, hashes);
        var (_, lostHashes) = Chain(3, 3, hashes[^1], Now);
        await Store.AppendAsync("c1", [AuditGap.Record("c1", 3, 5, hashes[^1], lostHashes[^1], "commits failed", Account, "us-east-1", Now)], Ct);
        var (after, afterHashes) = Chain(6, 2, lostHashes[^1], Now);

        await AppendJournalAndDeriveAsync("c1", after, afterHashes);

        Assert.Equal(7, (await Store.GetChainHeadAsync("c1", Ct))!.Sequence);
        var verified = await AuditChain.VerifyAsync("c1", Store.ReadChainAsync("c1", 1, Ct), await Store.GetChainHeadAsync("c1", Ct), Ct);
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        Assert.Single(verified.Gaps);
    }

    [Fact]
    public async Task A_journal_commit_is_refused_while_another_node_derives_the_chain_and_goes_on_under_its_writers_claim()
    {
        // Advisory locks are the database's, not the schema's: a chain of its own, apart from the other tests'.
        var chain = "claim-" + Guid.NewGuid().ToString("N");
        var (records, _) = Chain(1, 2, AuditChain.Genesis, Now);
        var frames = Frames(records, out _);
        await using (var orphanPass = await Store.TryClaimChainAsync(chain, Ct))
        {
            Assert.NotNull(orphanPass);
            await Assert.ThrowsAsync<AuditChainClaimedException>(() => Store.AppendJournalAsync(chain, 1, 2, frames, Ct));
            Assert.Null(await Store.TryClaimChainForWritingAsync(chain, Ct));
        }

        await using var writer = await Store.TryClaimChainForWritingAsync(chain, Ct);
        Assert.NotNull(writer);
        Assert.True(await ((IAuditChainClaim)writer).IsHeldAsync(Ct));
        Assert.Null(await Store.TryClaimChainAsync(chain, Ct));
        Assert.Null(await Store.TryClaimChainForWritingAsync(chain, Ct));
        await Store.AppendJournalAsync(chain, 1, 2, frames, Ct);
        Assert.Equal([1L], (await Store.ReadJournalAsync(chain, 0, Ct)).Select(r => r.FirstSequence));
    }

    [Fact]
    public async Task A_claim_whose_session_ended_says_it_is_no_longer_held_and_the_chain_can_be_claimed_again()
    {
        var chain = "claim-" + Guid.NewGuid().ToString("N");
        await using var writer = await Store.TryClaimChainForWritingAsync(chain, Ct);
        Assert.NotNull(writer);

        // As a restart of the server ends it.
        await ExecuteAsync($"""
            SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND classid = {AdvisoryLocks.AuditChains} AND objid = oid(hashtext('{chain}')::bigint & 4294967295);
            """);

        Assert.False(await ((IAuditChainClaim)writer).IsHeldAsync(Ct));
        await using var again = await Store.TryClaimChainForWritingAsync(chain, Ct);
        Assert.NotNull(again);
    }

    /// <summary>Records <paramref name="first"/> on, chained after <paramref name="previous"/>, a second apart, with records of different lengths and non-ASCII text.</summary>
    private static (List<AuditRecord> Records, List<string> Hashes) Chain(long first, int count, string previous, DateTimeOffset start, long randomIdAt = 0)
    {
        var records = new List<AuditRecord>();
        var hashes = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var sequence = first + i;
            var time = start.AddSeconds(i);
            var id = (sequence == randomIdAt ? Guid.NewGuid() : Guid.CreateVersion7(time)).ToString("D");
            var record = $$"""{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIDALICE","userName":"alice"},"eventTime":"{{time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}}","eventSource":"kms.amazonaws.com","eventName":"Encrypt","awsRegion":"us-east-1","userAgent":"ü✓{{new string('x', (int)sequence * 37)}}","eventID":"{{id}}","readOnly":false,"resources":[{"accountId":"111122223333","type":"AWS::KMS::Key","ARN":"{{Key}}"}],"eventType":"AwsApiCall","recipientAccountId":"111122223333"}""";
            var hash = AuditChain.Hash(previous, record);
            records.Add(new AuditRecord("c1", sequence, id, DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds()), Account, "Encrypt", "kms.amazonaws.com", "alice", "AKIDALICE", Key, false, record, previous, hash));
            hashes.Add(hash);
            previous = hash;
        }

        return (records, hashes);
    }

    /// <summary>The records' bytes laid out as a journal row would hold them (here: each behind a few bytes of frame header); <paramref name="at"/> where each begins.</summary>
    private static byte[] Frames(List<AuditRecord> records, out List<int> at)
    {
        var frames = new List<byte>();
        at = [];
        foreach (var record in records)
        {
            frames.AddRange(new byte[13]);
            at.Add(frames.Count);
            frames.AddRange(Encoding.UTF8.GetBytes(record.Record));
            frames.AddRange(new byte[4]);
        }

        return frames.ToArray();
    }

    /// <summary>Commits <paramref name="records"/> as one journal row and derives them as the audit writer does, each referring to its bytes in the row.</summary>
    private async Task AppendJournalAndDeriveAsync(string chain, List<AuditRecord> records, List<string> hashes, PostgreSqlStore? store = null, (List<AuditRecord> Records, List<string> Hashes)? deriveFrom = null)
    {
        store ??= Store;
        if (deriveFrom is { } earlier)
        {
            // Derives the row already committed (the test committed it): only the trail's rows are written.
            await store.AppendDerivedAsync(chain, Utf8Records(earlier.Records, earlier.Hashes, Frames(earlier.Records, out var earlierAt), earlierAt), Ct);
        }

        var frames = Frames(records, out var at);
        await store.AppendJournalAsync(chain, records[0].Sequence, records[^1].Sequence, frames, Ct);
        await store.AppendDerivedAsync(chain, Utf8Records(records, hashes, frames, at), Ct);
        await store.SyncDerivedAsync(Ct);
    }

    /// <summary>The records as the indexer hands them to the store: slices of the journal row, named by the row's first sequence number.</summary>
    private static List<AuditRecordUtf8> Utf8Records(List<AuditRecord> records, List<string> hashes, byte[] frames, List<int> at)
    {
        var row = records[0].Sequence.ToString(CultureInfo.InvariantCulture);
        return records.Select((r, i) => new AuditRecordUtf8(
            r.Sequence, r.EventTime.ToUnixTimeMilliseconds(), r.ReadOnly, Utf8(r.EventId), Utf8(r.AccountId), Utf8(r.EventName), Utf8(r.EventSource),
            Utf8(r.Username!), Utf8(r.AccessKeyId!), Utf8(r.ResourceName!), frames.AsMemory(at[i], Encoding.UTF8.GetByteCount(r.Record)),
            Convert.FromHexString(r.PreviousHash), Convert.FromHexString(hashes[i]))
        { Segment = row, RecordOffset = at[i] }).ToList();
    }

    private async Task AssertReadsAsync(string chain, List<AuditRecord> records)
    {
        Assert.Equal(records, await ReadChainAsync(Store, chain));
        var newestFirst = records.OrderByDescending(r => r.Sequence).ToList();
        foreach (var (key, value) in new (AuditLookupKey, string?)[]
        {
            (AuditLookupKey.None, null), (AuditLookupKey.EventName, "Encrypt"), (AuditLookupKey.ResourceName, Key), (AuditLookupKey.Username, "alice"),
            (AuditLookupKey.AccessKeyId, "AKIDALICE"), (AuditLookupKey.EventSource, "kms.amazonaws.com"), (AuditLookupKey.ReadOnly, "false"),
            (AuditLookupKey.ResourceType, "AWS::KMS::Key"),
        })
        {
            var (found, next) = await Store.LookupAsync(new AuditQuery(Account, null, null, key, value, 50, null), Ct);
            Assert.Null(next);
            Assert.Equal(newestFirst, found);
        }

        var (byId, _) = await Store.LookupAsync(new AuditQuery(Account, null, null, AuditLookupKey.EventId, records[1].EventId, 50, null), Ct);
        Assert.Equal([records[1]], byId);
    }

    private static ReadOnlyMemory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<List<AuditRecord>> ReadChainAsync(PostgreSqlStore store, string chain, long from = 1)
    {
        var read = new List<AuditRecord>();
        await foreach (var record in store.ReadChainAsync(chain, from, Ct))
        {
            read.Add(record);
        }

        return read;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private async Task<List<T>> ReadAllAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }
}
