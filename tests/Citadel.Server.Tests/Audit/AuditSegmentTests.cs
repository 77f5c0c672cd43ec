using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Server.Audit;
using Citadel.Storage;
using Citadel.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// On SQLite the journal segments are the trail's record store: the database holds a reference to each record the
/// indexer derived (docs/audit.md, "The record store"), a finished journal moves to audit-segments/, and reads,
/// verification and retention go through the references.
/// </summary>
[Trait("Issue", "17")]
public sealed class AuditSegmentTests : IDisposable
{
    private const string Chain = "node-a";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-segments-").FullName;

    private string Database => Path.Combine(_directory, SqliteStorageProvider.DatabaseFileName);

    private string Journals => Path.Combine(_directory, JournalSegments.JournalDirectoryName);

    private string Segments => Path.Combine(_directory, JournalSegments.DirectoryName);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<SqliteStore> OpenAsync()
    {
        var store = new SqliteStore(Database, durableSync: false);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task The_database_holds_a_reference_to_each_record_and_the_records_are_read_back_from_the_segments()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 60, Now);

        Assert.Empty(Directory.GetFiles(Journals));
        Assert.InRange(Directory.GetFiles(Segments, "*.journal").Length, 5, 30);
        var stored = await StoredRecordsAsync();
        Assert.Equal(60, stored.Count);
        Assert.All(stored, s => Assert.StartsWith("@journal ", s, StringComparison.Ordinal));

        var records = await ReadChainAsync(store);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.All(records, r => Assert.Equal(r.EventName, JsonDocument.Parse(r.Record).RootElement.GetProperty("eventName").GetString()));
        var verification = await VerifyAsync(store);
        Assert.True(verification.Intact, string.Join("; ", verification.Problems));
        Assert.Equal(60, verification.Records);

        var (page, _) = await store.LookupAsync(new AuditQuery("111122223333", null, null, AuditLookupKey.EventName, "Event7", 10, null), CancellationToken.None);
        Assert.Equal("Event7", JsonDocument.Parse(Assert.Single(page).Record).RootElement.GetProperty("eventName").GetString());
    }

    [Fact]
    public async Task A_byte_changed_in_a_segment_breaks_the_chain_at_that_record()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 30, Now);
        var (segment, offset, _) = Reference((await StoredRecordsAsync())[11]);
        var path = Path.Combine(Segments, segment + ".journal");
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal((byte)'{', bytes[offset]);
        bytes[offset + 20] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var verification = await VerifyAsync(store);

        Assert.False(verification.Intact);
        Assert.Contains("record 12", verification.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_segment_removed_leaves_its_records_empty_and_verification_says_where_the_chain_breaks()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 30, Now);
        var (segment, _, _) = Reference((await StoredRecordsAsync())[0]);
        File.Delete(Path.Combine(Segments, segment + ".journal"));

        var records = await ReadChainAsync(store);
        var verification = await VerifyAsync(store);

        Assert.Equal(30, records.Count);
        Assert.Equal("", records[0].Record);
        Assert.False(verification.Intact);
        Assert.Contains("record 1", verification.Problems[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// A segment that is there but cannot be read — owned by another user after a restore made as root (EACCES), or, as
    /// here since tests run as root, a name that loops (ELOOP) — is not a removed one: read as an empty record it made
    /// verification report every record in it as changed (tampering) and LookupEvents answer events without their record.
    /// </summary>
    [Fact]
    public async Task A_segment_that_is_there_but_cannot_be_read_is_an_error_that_names_it_not_an_empty_record_taken_for_tampering()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 30, Now);
        var (segment, _, _) = Reference((await StoredRecordsAsync())[0]);
        var path = Path.Combine(Segments, segment + ".journal");
        File.Delete(path);
        File.CreateSymbolicLink(path, path);

        var read = await Assert.ThrowsAsync<IOException>(() => ReadChainAsync(store));
        var verify = await Assert.ThrowsAsync<IOException>(() => VerifyAsync(store));
        var start = Assert.Throws<IOException>(() => JournalSegments.CheckReadable(Segments));

        Assert.All(new[] { read, verify, start }, e => Assert.StartsWith($"cannot read {path}: ", e.Message, StringComparison.Ordinal));
        var writer = new AuditWriter(store, Options(Journals, TimeSpan.FromDays(365)), NullLogger<AuditWriter>.Instance);
        var refused = await Assert.ThrowsAsync<IOException>(() => writer.StartAsync(CancellationToken.None));
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The case the error is for: a segment the server's user may not read (EACCES). Tests run as root, so the read runs
    /// on a thread of its own without the capabilities that let root read any file (capabilities are per thread on Linux;
    /// the thread ends with the read); run as another user it needs no such thread.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_segment_the_servers_user_may_not_read_stops_the_start_with_what_to_do()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 10, Now);
        var path = Directory.GetFiles(Segments, "*.journal")[0];
        File.SetUnixFileMode(path, UnixFileMode.None);

        Exception? refused = null;
        var reader = new Thread(() =>
        {
            WithoutFileCapabilities.Enter();
            refused = Record.Exception(() => JournalSegments.CheckReadable(Segments));
        });
        reader.Start();
        reader.Join();

        var denied = Assert.IsType<UnauthorizedAccessException>(refused);
        Assert.Equal(
            $"cannot read {path}: permission denied. The data directory and every file in it must belong to the user Citadel runs as (after a restore or a copy made as root, run `chown -R <user>: <data directory>`).",
            denied.Message);
    }

    [Fact]
    public async Task A_row_that_points_past_its_segments_end_reads_as_an_empty_record_and_breaks_the_chain_there()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 10, Now);
        var (segment, offset, _) = Reference((await StoredRecordsAsync())[4]);
        await using (var connection = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE audit_events SET record = $r WHERE seq = 5;";
            command.Parameters.AddWithValue("$r", $"@journal {segment} {offset} 2000000000");
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var records = await ReadChainAsync(store);
        var verification = await VerifyAsync(store);

        Assert.Equal("", records[4].Record);
        Assert.False(verification.Intact);
        Assert.Contains("record 5", verification.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "17")]
    public void A_row_that_names_a_record_of_gigabytes_in_a_segment_that_long_reads_as_empty_without_allocating_it()
    {
        Directory.CreateDirectory(Segments);
        using (var file = File.Create(Path.Combine(Segments, "abc123.journal")))
        {
            file.SetLength(3L << 30); // sparse
        }

        using var segments = new JournalSegments(_directory);
        var allocated = GC.GetAllocatedBytesForCurrentThread();

        var record = segments.Resolve("@journal abc123 0 2000000000");

        Assert.Equal("", record);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 1 << 20);
    }

    [Fact]
    public async Task Retention_deletes_the_rows_and_the_segments_before_the_cutoff_and_the_rest_still_verifies()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 40, Now.AddDays(-10));
        var oldSegments = Directory.GetFiles(Segments).ToHashSet();
        await RecordAsync(store, 20, Now);
        var clock = new FakeTimeProvider(Now);
        var job = new AuditRetentionJob(store, Options(Journals, TimeSpan.FromDays(1)), clock, NullLogger<AuditRetentionJob>.Instance);

        var deleted = await job.RunOnceAsync(CancellationToken.None);

        Assert.Equal(40, deleted);
        Assert.DoesNotContain(Directory.GetFiles(Segments), oldSegments.Contains);
        Assert.NotEmpty(Directory.GetFiles(Segments));
        var records = await ReadChainAsync(store);
        Assert.Equal(Enumerable.Range(41, 20).Select(i => (long)i), records.Select(r => r.Sequence));
        var verification = await VerifyAsync(store);
        Assert.True(verification.Intact, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task Retention_moves_a_quiet_chains_anchor_record_into_its_row_before_its_segment_goes()
    {
        await using var store = await OpenAsync();
        await RecordAsync(store, 25, Now.AddDays(-10));
        var clock = new FakeTimeProvider(Now);
        var job = new AuditRetentionJob(store, Options(Journals, TimeSpan.FromDays(1)), clock, NullLogger<AuditRetentionJob>.Instance);

        await job.RunOnceAsync(CancellationToken.None);

        Assert.Empty(Directory.GetFiles(Segments));
        var anchor = Assert.Single(await StoredRecordsAsync());
        Assert.StartsWith("{", anchor, StringComparison.Ordinal);
        var record = Assert.Single(await ReadChainAsync(store));
        Assert.Equal(25, record.Sequence);
        Assert.Equal(AuditChain.Hash(record.PreviousHash, record.Record), record.Hash);
    }

    private static AuditOptions Options(string journals, TimeSpan retention) => new()
    {
        ChainId = Chain,
        JournalDirectory = journals,
        SyncJournal = true,
        JournalBytes = 8 << 10,
        MaxBatch = 4,
        Retention = retention,
    };

    /// <summary>Records <paramref name="count"/> events at <paramref name="at"/> in waves, then stops the writer (which moves its last journal to the segments).</summary>
    private static async Task RecordAsync(SqliteStore store, int count, DateTimeOffset at)
    {
        var journals = Path.Combine(store.SegmentsDataDirectory!, JournalSegments.JournalDirectoryName);
        var head = await store.GetChainHeadAsync(Chain, CancellationToken.None);
        using var writer = new AuditWriter(store, Options(journals, TimeSpan.FromDays(365)), NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var first = (int)(head?.Sequence ?? 0);
        for (var i = 0; i < count; i += 5)
        {
            await Task.WhenAll(Enumerable.Range(first + i, Math.Min(5, count - i)).Select(n =>
            {
                var e = new AuditEvent();
                TestEvents.Fill(e, $"Event{n + 1}");
                e.EventTime = at;
                return writer.RecordAsync(e).AsTask();
            }));
        }

        await writer.WaitIndexedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);
    }

    private async Task<List<string>> StoredRecordsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM audit_events ORDER BY seq;";
        await using var reader = await command.ExecuteReaderAsync();
        var stored = new List<string>();
        while (await reader.ReadAsync())
        {
            stored.Add(reader.GetString(0));
        }

        return stored;
    }

    private static async Task<List<AuditRecord>> ReadChainAsync(SqliteStore store)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in store.ReadChainAsync(Chain, 0, CancellationToken.None))
        {
            records.Add(record);
        }

        return records;
    }

    private static async Task<AuditChain.Verification> VerifyAsync(SqliteStore store) =>
        await AuditChain.VerifyAsync(Chain, store.ReadChainAsync(Chain, 0, CancellationToken.None), await store.GetChainHeadAsync(Chain, CancellationToken.None), CancellationToken.None);

    private static (string Segment, long Offset, int Length) Reference(string stored) =>
        JournalRecordReference.TryParse(stored, out var segment, out var offset, out var length) ? (segment, offset, length) : throw new InvalidOperationException($"{stored} is no reference.");
}
