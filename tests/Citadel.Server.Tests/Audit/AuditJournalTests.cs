using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Audit;

[Trait("Issue", "10")]
public sealed partial class AuditJournalTests : IDisposable
{
    private const string Chain = "node-a";

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-journal-").FullName;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<byte[]> _frames = [];
    private byte[] _hash = new byte[32];
    private long _written;

    public void Dispose()
    {
        _sha256.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_frame_decodes_to_its_event_and_its_hash_is_the_audit_chain_hash_of_its_record()
    {
        var frame = NextFrame(1, "Encrypt");

        Assert.Equal(frame.Length, AuditFrame.Measure(frame));
        var record = AuditFrame.Decode(frame).ToRecord(Chain);
        Assert.Equal((Chain, 1L, "Encrypt", "alice", "AKIAALICE", "111122223333", false), (record.ChainId, record.Sequence, record.EventName, record.Username, record.AccessKeyId, record.AccountId, record.ReadOnly));
        Assert.Equal("arn:aws:kms:us-east-1:111122223333:key/k1", record.ResourceName);
        Assert.Equal(AuditChain.Genesis, record.PreviousHash);
        Assert.Equal(AuditChain.Hash(AuditChain.Genesis, record.Record), record.Hash);
        using var json = JsonDocument.Parse(record.Record);
        Assert.Equal(record.EventId, json.RootElement.GetProperty("eventID").GetString());
        Assert.Equal("127.0.0.1", json.RootElement.GetProperty("sourceIPAddress").GetString());
        Assert.Equal("billing", json.RootElement.GetProperty("requestParameters").GetProperty("encryptionContext").GetProperty("App").GetString());
        Assert.False(json.RootElement.GetProperty("requestParameters").TryGetProperty("plaintext", out _));
    }

    [Fact]
    public void Parameters_over_100_KB_are_left_out_as_CloudTrail_does_and_the_frame_stays_readable()
    {
        using var entry = new AuditEntry();
        Fill(entry.Event, "CreateKey");
        entry.Event.RequestBody = Encoding.UTF8.GetBytes("{\"Description\":\"" + new string('x', 1024 * 1024 - 20) + "\"}");
        entry.Build();
        var hash = new byte[32];
        AuditFrame.Seal(entry.Frame.Written, 1, hash, Encoding.ASCII.GetBytes(AuditChain.Genesis), _sha256, hash);

        var frame = entry.Frame.Written;
        Assert.Equal(frame.Length, AuditFrame.Measure(frame));
        using var json = JsonDocument.Parse(AuditFrame.Decode(entry.Frame.WrittenMemory).ToRecord(Chain).Record);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("requestParameters").ValueKind);
        Assert.True(frame.Length < 4096);
    }

    [Fact]
    public void A_changed_byte_anywhere_in_a_frame_makes_it_unreadable()
    {
        var frame = NextFrame(1, "Encrypt");
        foreach (var at in new[] { 4, 20, 90, frame.Length / 2, frame.Length - 5 })
        {
            var changed = frame.ToArray();
            changed[at] ^= 0x40;
            Assert.Equal(0, AuditFrame.Measure(changed));
        }
    }

    [Fact]
    public async Task Draining_moves_every_whole_frame_to_the_store_drops_a_torn_tail_and_deletes_the_journal()
    {
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            journal.Append(NextFrame(1, "Encrypt"));
            journal.Append(NextFrame(2, "Decrypt"));
            journal.Append(NextFrame(3, "GenerateDataKey"));
            journal.Append(NextFrame(4, "Sign").AsSpan(0, 300));
        }

        var store = new MemoryAuditStore();
        Assert.Equal(3, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));

        Assert.Equal(["Encrypt", "Decrypt", "GenerateDataKey"], store.Records.Select(r => r.EventName));
        Assert.Equal([1L, 2, 3], store.Records.Select(r => r.Sequence));
        Assert.Equal(store.Records[0].Hash, store.Records[1].PreviousHash);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Synced_appends_of_any_size_read_back_whole_and_in_order()
    {
        using (var journal = AuditJournal.Create(_directory, Chain, sync: true))
        {
            foreach (var count in new[] { 1, 3, 5, 2, 7 })
            {
                var batch = new List<byte>();
                for (var i = 0; i < count; i++)
                {
                    batch.AddRange(NextFrame(++_written, "Encrypt"));
                }

                journal.Append(batch.ToArray());
                journal.Sync();
            }
        }

        var store = new MemoryAuditStore();
        Assert.Equal(18, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 18).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.All(store.Records.Skip(1).Zip(store.Records), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
    }

    [Fact]
    public async Task Several_journals_left_by_a_crash_drain_in_sequence_order_whatever_order_the_directory_lists_them_in()
    {
        // A full journal is retired and a new one begun; a crash before the indexer caught up leaves
        // both (or more). Their file names are random, so the directory's order is not the chain's.
        for (var journalIndex = 0; journalIndex < 6; journalIndex++)
        {
            using var journal = AuditJournal.Create(_directory, Chain, sync: false);
            for (var i = 0; i < 3; i++)
            {
                journal.Append(NextFrame(++_written, "Encrypt"));
            }
        }

        var store = new MemoryAuditStore();
        Assert.Equal(18, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 18).Select(i => (long)i), store.Records.Select(r => r.Sequence));
        Assert.All(store.Records.Skip(1).Zip(store.Records), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    /// <summary>
    /// Events 2 and 3 failed (their sync) and the trail recorded them as a gap, the record at its head (the
    /// next event's derived row was lost in a power loss); a journal still holds their frames (not cut off:
    /// the cut failed, or a version before the cut wrote it). The gap stands for both numbers.
    /// </summary>
    [Fact]
    [Trait("Issue", "17")]
    public async Task A_recorded_gap_at_the_head_of_the_trail_stands_for_its_numbers_and_the_drain_brings_in_none_of_their_frames()
    {
        var frames = new[] { NextFrame(1, "Encrypt"), NextFrame(2, "Decrypt"), NextFrame(3, "Sign"), NextFrame(4, "Encrypt") };
        var store = new MemoryAuditStore();
        var first = AuditFrame.Decode(frames[0]).ToRecord(Chain);
        var gap = AuditWriter.GapBefore(Chain, 2, first.Hash, AuditFrame.Decode(frames[3]), AuditWriter.NotDurable(2, 3));
        await store.AppendAsync(Chain, [first, gap], CancellationToken.None);
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            foreach (var frame in frames)
            {
                journal.Append(frame);
            }
        }

        Assert.Equal(1, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));

        Assert.Equal([(1L, "Encrypt"), (2L, "AuditGap"), (4L, "Encrypt")], store.Records.Select(r => (r.Sequence, r.EventName)));
        var verified = AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
    }

    [Fact]
    public async Task Draining_skips_what_the_store_already_has()
    {
        var first = NextFrame(1, "Encrypt");
        var second = NextFrame(2, "Decrypt");
        var store = new MemoryAuditStore();
        await store.AppendAsync(Chain, [AuditFrame.Decode(first).ToRecord(Chain)], CancellationToken.None);
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            journal.Append(first);
            journal.Append(second);
        }

        Assert.Equal(1, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal([1L, 2], store.Records.Select(r => r.Sequence));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Full_journals_are_deleted_once_what_was_derived_from_them_is_durable_and_a_crash_at_any_moment_leaves_journals_that_drain_to_an_unbroken_chain()
    {
        // Journals of 8 KB hold about six events: 410 events fill some 70 of them.
        var store = new MemoryAuditStore();
        var options = new AuditOptions { ChainId = Chain, JournalDirectory = _directory, SyncJournal = false, JournalBytes = 8 << 10, MaxBatch = 4 };
        using var writer = new AuditWriter(store, options, NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        for (var wave = 0; wave < 40; wave++)
        {
            await RecordAsync(writer, 10);
            await writer.WaitIndexedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        // The crash: the last wave is durable, maybe not yet in the store. What a killed machine would
        // leave is the journal files as they are now, and of the store only what was made durable
        // after them (the indexer deletes a journal only once the store made what it has of it durable,
        // so a store read later holds at least as much).
        await RecordAsync(writer, 10);
        var left = Path.Combine(_directory, "left");
        Directory.CreateDirectory(left);
        foreach (var path in Directory.GetFiles(_directory, "*.journal"))
        {
            // Copied by another process: the writer's lock (flock) keeps this one from opening them.
            // A journal deleted meanwhile was indexed: the store read below has its events.
            using var copy = Process.Start("cp", [path, left])!;
            await copy.WaitForExitAsync();
            Assert.True(copy.ExitCode == 0 || !File.Exists(path), $"Could not copy {path}.");
        }

        var afterCrash = new MemoryAuditStore();
        afterCrash.Records.AddRange(store.Durable());

        Assert.InRange(writer.JournalsCreated, 40, 100);
        Assert.InRange(store.Syncs, 20, 100);
        // Per stripe (two by default): its open journal and at most two full ones the last waves retired, not yet deleted.
        Assert.InRange(Directory.GetFiles(_directory, "*.journal").Length, 1, 3 * options.JournalStripes);
        await AuditJournal.DrainAsync(left, afterCrash, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 410).Select(i => (long)i), afterCrash.Records.Select(r => r.Sequence));
        Assert.All(afterCrash.Records.Skip(1).Zip(afterCrash.Records), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));

        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 410).Select(i => (long)i), store.Durable().Select(r => r.Sequence));
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_writer_starts_without_the_store_continues_the_chain_from_the_last_frame_an_earlier_run_left_and_fills_the_store_in_order_once_it_answers()
    {
        using (var journal = AuditJournal.Create(_directory, Chain, sync: true))
        {
            journal.Append(NextFrame(1, "Encrypt"));
            journal.Append(NextFrame(2, "Decrypt"));
            journal.Append(NextFrame(3, "Sign"));
            journal.Sync();
        }

        var store = new MemoryAuditStore { Down = true };
        var options = new AuditOptions { ChainId = Chain, JournalDirectory = _directory, SyncJournal = true };
        using var writer = new AuditWriter(store, options, NullLogger<AuditWriter>.Instance);

        await writer.StartAsync(CancellationToken.None);
        await RecordAsync(writer, 2);

        Assert.Equal(5, writer.Durable);
        Assert.Empty(store.Records);
        store.Down = false;
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal([1L, 2, 3, 4, 5], store.Durable().Select(r => r.Sequence));
        Assert.All(store.Records.Skip(1).Zip(store.Records), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
        Assert.Empty(Directory.GetFiles(_directory, "*.journal"));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task While_the_journal_cannot_be_written_requests_fail_Unavailable_says_why_one_line_is_logged_and_the_first_write_that_succeeds_clears_it()
    {
        // A file where the journal's directory should be: creating a journal fails as on a full disk.
        var blocked = Path.Combine(_directory, "blocked");
        await File.WriteAllTextAsync(blocked, "");
        var logger = new ListLogger();
        var store = new MemoryAuditStore();
        var options = new AuditOptions { ChainId = Chain, JournalDirectory = Path.Combine(blocked, "journal"), SyncJournal = true };
        using var writer = new AuditWriter(store, options, logger);
        await writer.StartAsync(CancellationToken.None);
        Assert.Null(writer.Unavailable);

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAnyAsync<IOException>(() => RecordAsync(writer, 3));
        }

        Assert.StartsWith("the audit journal could not be written: ", writer.Unavailable, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', writer.Unavailable!);
        Assert.Equal(1, logger.Count(1010));
        File.Delete(blocked);
        await RecordAsync(writer, 3);
        Assert.Null(writer.Unavailable);
        Assert.Equal(1, logger.Count(1014));

        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(3, store.Durable().Count);
    }

    [Fact]
    public async Task A_journal_a_running_writer_holds_is_left_to_it()
    {
        using var journal = AuditJournal.Create(_directory, Chain, sync: true);
        journal.Append(NextFrame(1, "Encrypt"));
        journal.Sync();

        var store = new MemoryAuditStore();
        Assert.Equal(0, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Empty(store.Records);
        Assert.Single(Directory.GetFiles(_directory, "*.journal"));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_file_in_the_journal_directory_that_is_not_a_journal_and_holds_no_events_is_set_aside()
    {
        var stray = Path.Combine(_directory, "stray.journal");
        await File.WriteAllTextAsync(stray, "not a journal");

        Assert.Equal(0, await AuditJournal.DrainAsync(_directory, new MemoryAuditStore(), CancellationToken.None));

        Assert.Equal([stray + ".damaged"], Directory.GetFiles(_directory));
        Assert.Equal("not a journal", await File.ReadAllTextAsync(stray + ".damaged"));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(0)] // the magic
    [InlineData(9)] // the chain id's length
    public async Task A_spare_journal_whose_header_is_damaged_is_set_aside_and_the_drain_goes_on(int at)
    {
        string spare;
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            spare = journal.Path;
        }

        FlipByte(spare, at);
        using (var other = AuditJournal.Create(_directory, Chain, sync: false))
        {
            other.Append(NextFrame(1, "Encrypt"));
        }

        var store = new MemoryAuditStore();
        Assert.Equal(1, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));

        Assert.Equal([1L], store.Records.Select(r => r.Sequence));
        Assert.Equal([spare + ".damaged"], Directory.GetFiles(_directory));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_byte_flipped_in_the_middle_of_a_journal_stops_the_drain_with_what_was_found_and_what_to_run_and_moves_nothing()
    {
        var (path, offsets) = WriteJournal(5);
        FlipByte(path, offsets[2] + 200);
        var store = new MemoryAuditStore();

        var error = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(_directory, store, CancellationToken.None));

        Assert.Equal(
            $"the audit journal {path} is damaged at byte {offsets[2]}: after event 2 (the last intact one before it) events 4–5 follow intact, so event 3 would be lost. "
            + "Nothing was moved or deleted, and the server does not start, so no event number is used twice: "
            + $"see what each journal holds with `citadel audit journal inspect --data-dir {Path.GetDirectoryName(_directory)}`, then keep every intact event, record the gap in the chain and set the file aside with `citadel audit journal resolve --data-dir {Path.GetDirectoryName(_directory)}`.",
            error.Message);
        Assert.Empty(store.Records);
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Damage_in_events_the_store_already_has_loses_nothing_and_the_drain_goes_on()
    {
        var (path, offsets) = WriteJournal(5);
        FlipByte(path, offsets[1] + 100);
        var store = new MemoryAuditStore();
        store.Records.AddRange(_frames.Take(3).Select(frame => AuditFrame.Decode(frame).ToRecord(Chain)));

        Assert.Equal(2, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.Equal([1L, 2, 3, 4, 5], store.Records.Select(r => r.Sequence));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Resolving_a_damaged_journal_keeps_every_intact_event_records_the_gap_and_sets_the_file_aside()
    {
        var (path, offsets) = WriteJournal(6);
        FlipByte(path, offsets[2] + 200);
        FlipByte(path, offsets[3] + 10);
        var store = new MemoryAuditStore();

        var done = await AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None);

        Assert.Equal([1L, 2, 3, 5, 6], store.Records.Select(r => r.Sequence));
        var gap = store.Records[2];
        Assert.Equal(("AuditGap", "111122223333"), (gap.EventName, gap.AccountId));
        var verified = AuditChain.Verify(Chain, store.Records, new AuditChainHead(Chain, 6, store.Records[^1].Hash, 1));
        Assert.Empty(verified.Problems);
        Assert.Equal([$"records 3–4 were lost: the audit journal {Path.GetFileName(path)} was damaged at byte {offsets[2]}; set aside as {Path.GetFileName(path)}.damaged (recorded as event {gap.EventId})"], verified.Gaps);
        Assert.Equal([path + ".damaged"], Directory.GetFiles(_directory));
        Assert.Equal(
            [$"{path}: events 3–4 lost at byte {offsets[2]}; the gap is recorded in chain {Chain}", $"{path}: 4 intact events moved into the store (5 records with the gaps); set aside as {path}.damaged"],
            done);
        Assert.Equal(0, await AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
    }

    [Theory]
    [Trait("Issue", "17")]
    [InlineData(2)] // the magic
    [InlineData(10)] // the chain id: a name the store does not know, with events that do not start a chain
    public async Task A_journal_whose_header_is_damaged_but_which_holds_events_is_damage_and_resolve_finds_its_chain_by_the_links(int at)
    {
        var store = new MemoryAuditStore();
        var first = NextFrame(1, "Encrypt");
        await store.AppendAsync(Chain, [AuditFrame.Decode(first).ToRecord(Chain)], CancellationToken.None);
        string path;
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            path = journal.Path;
            journal.Append(NextFrame(2, "Decrypt"));
            journal.Append(NextFrame(3, "Decrypt"));
        }

        FlipByte(path, at);

        var error = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(_directory, store, CancellationToken.None));
        Assert.StartsWith($"the audit journal {path} has a damaged header but holds events 2–3. Nothing was moved or deleted", error.Message, StringComparison.Ordinal);

        await AuditJournal.ResolveAsync(_directory, store, TimeProvider.System, CancellationToken.None);
        Assert.Equal([1L, 2, 3], store.Records.Select(r => r.Sequence));
        Assert.Equal([path + ".damaged"], Directory.GetFiles(_directory));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Inspecting_says_what_each_journal_holds_and_where_it_is_damaged()
    {
        var (path, offsets) = WriteJournal(5);
        FlipByte(path, offsets[2] + 200);
        var store = new MemoryAuditStore();
        store.Records.Add(AuditFrame.Decode(_frames[0]).ToRecord(Chain));

        var (lines, damaged) = await AuditJournal.InspectAsync(_directory, store, CancellationToken.None);

        Assert.True(damaged);
        Assert.Equal(
            [
                $"{path}: chain {Chain}, {new FileInfo(path).Length} bytes",
                "  3 events between 2 and 5 the store lacks (up to 5)",
                "  1 older events (in the store already, or left from the journal's previous use)",
                $"  DAMAGED at byte {offsets[2]}: after event 2, events 4–5 follow intact; event 3 lost: run `citadel audit journal resolve`",
            ],
            lines);
        Assert.Equal([path], Directory.GetFiles(_directory));
        Assert.Single(store.Records);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Inspecting_and_resolving_are_refused_while_a_server_holds_the_data_directory()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("citadel-data-").FullName;
        try
        {
            var tools = new AuditTools(new MemoryAuditStore());
            using (Citadel.Server.Hosting.DataDirectoryLock.Acquire(dataDirectory, DateTimeOffset.UnixEpoch))
            {
                var inspect = await Assert.ThrowsAsync<InvalidOperationException>(() => tools.InspectJournalsAsync(dataDirectory, CancellationToken.None));
                var resolve = await Assert.ThrowsAsync<InvalidOperationException>(() => tools.ResolveJournalsAsync(dataDirectory, CancellationToken.None));
                Assert.StartsWith($"the data directory {dataDirectory} is in use by another Citadel process", inspect.Message, StringComparison.Ordinal);
                Assert.Equal(inspect.Message, resolve.Message);
            }

            Assert.Equal([$"no audit journals in {Path.Combine(dataDirectory, "audit-journal")}: everything is in the store"], (await tools.InspectJournalsAsync(dataDirectory, CancellationToken.None)).Lines);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_dropped_torn_tail_and_a_spare_set_aside_are_logged_with_the_file_the_byte_and_the_last_event_kept()
    {
        string torn;
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            torn = journal.Path;
            journal.Append(NextFrame(1, "Encrypt"));
            journal.Append(NextFrame(2, "Encrypt").AsSpan(0, 300));
        }

        string spare;
        using (var journal = AuditJournal.Create(_directory, Chain, sync: false))
        {
            spare = journal.Path;
        }

        FlipByte(spare, 0);
        var logger = new EntryLogger();

        Assert.Equal(1, await AuditJournal.DrainAsync(_directory, new MemoryAuditStore(), logger, CancellationToken.None));

        var offset = "CTDLAUD1".Length + 2 + Chain.Length + _frames[0].Length; // the header, then event 1: event 2 is torn
        Assert.Equal(
            [
                (1091, $"The audit journal {spare} has a damaged header and holds no events: set aside as {spare}.damaged"),
                (1090, $"Dropped what follows audit event 1 in the journal {torn} from byte {offset}: no intact event of a later number follows it, so it is a write a crash interrupted, never acknowledged (or what remains of an older event in a journal written again)"),
            ],
            logger.Entries.OrderByDescending(e => e.Id));
    }

    /// <summary>Keeps what is logged: event id and message.</summary>
    private sealed class EntryLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<(int Id, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((eventId.Id, formatter(state, exception)));
    }

    /// <summary>A journal of <paramref name="count"/> events (1, 2, …) and the byte offset of each.</summary>
    private (string Path, List<int> Offsets) WriteJournal(int count)
    {
        using var journal = AuditJournal.Create(_directory, Chain, sync: false);
        var offsets = new List<int>();
        for (var i = 1; i <= count; i++)
        {
            offsets.Add((int)journal.Length);
            journal.Append(NextFrame(i, "Encrypt"));
        }

        return (journal.Path, offsets);
    }

    /// <summary>The verification of <see cref="Chain"/> in <paramref name="store"/> up to its head, asserted intact.</summary>
    private static async Task<AuditChain.Verification> IntactAsync(MemoryAuditStore store)
    {
        var verified = AuditChain.Verify(Chain, store.Records, await store.GetChainHeadAsync(Chain, CancellationToken.None));
        Assert.True(verified.Intact, string.Join("; ", verified.Problems));
        return verified;
    }

    private static void FlipByte(string path, int at)
    {
        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = at;
        var value = file.ReadByte();
        file.Position = at;
        file.WriteByte((byte)(value ^ 0x5A));
    }

    /// <summary>Log entries by event id, to count how often something was logged.</summary>
    private sealed class ListLogger : ILogger<AuditWriter>
    {
        private readonly ConcurrentBag<int> _ids = [];

        public int Count(int eventId) => _ids.Count(id => id == eventId);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => _ids.Add(eventId.Id);
    }

    private static Task RecordAsync(AuditWriter writer, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ =>
        {
            var e = new AuditEvent();
            Fill(e, "Encrypt");
            return writer.RecordAsync(e).AsTask();
        }));

    /// <summary>A frame as a request builds it and the writer seals it, chained to the previous one.</summary>
    private byte[] NextFrame(long sequence, string eventName)
    {
        using var entry = new AuditEntry();
        Fill(entry.Event, eventName);
        entry.Build();
        var previous = _hash;
        var previousHex = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(previous));
        var next = new byte[32];
        AuditFrame.Seal(entry.Frame.Written, sequence, previous, previousHex, _sha256, next);
        _hash = next;
        _frames.Add(entry.Frame.Written.ToArray());
        return _frames[^1];
    }

    private static void Fill(AuditEvent e, string eventName) => TestEvents.Fill(e, eventName);
}
