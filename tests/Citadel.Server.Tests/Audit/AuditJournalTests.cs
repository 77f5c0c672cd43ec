using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Core.Identity;
using Citadel.Server.Audit;
using Citadel.Server.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Audit;

[Trait("Issue", "10")]
public sealed class AuditJournalTests : IDisposable
{
    private const string Chain = "node-a";
    private static readonly Principal Alice = new("111122223333", "arn:aws:iam::111122223333:user/alice", PrincipalType.IamUser, "AIDAALICE");

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-journal-").FullName;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
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
        Assert.InRange(Directory.GetFiles(_directory, "*.journal").Length, 1, 3);
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
    public async Task A_file_in_the_journal_directory_that_is_not_a_journal_stops_the_drain_with_what_to_do()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "stray.journal"), "not a journal");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => AuditJournal.DrainAsync(_directory, new MemoryAuditStore(), CancellationToken.None));
        Assert.Contains("Move it out of the journal directory", error.Message, StringComparison.Ordinal);
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
        return entry.Frame.Written.ToArray();
    }

    private static void Fill(AuditEvent e, string eventName)
    {
        e.EventName = eventName;
        e.EventTime = DateTimeOffset.Parse("2026-11-28T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        e.EventId = Guid.NewGuid();
        e.Principal = Alice;
        e.AccessKeyId = "AKIAALICE";
        e.AccountId = "111122223333";
        e.Region = "us-east-1";
        e.SourceIp = IPAddress.Loopback;
        e.UserAgent = "aws-cli/2";
        e.RequestBody = Encoding.UTF8.GetBytes("""{"KeyId":"alias/app","Plaintext":"c2VjcmV0","EncryptionContext":{"App":"billing"}}""");
        e.ResourceArn = "arn:aws:kms:us-east-1:111122223333:key/k1";
    }
}
