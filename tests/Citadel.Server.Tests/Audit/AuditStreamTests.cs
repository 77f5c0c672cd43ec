using System.IO.Compression;
using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Server.Audit.Streaming;
using Citadel.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.Audit;

[Trait("Issue", "22")]
public sealed class AuditStreamTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-stream-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly SqliteStore _store;
    private long _sequence;

    private string Sink => Path.Combine(_directory, "sink");

    private static CancellationToken Ct => CancellationToken.None;

    public AuditStreamTests()
    {
        Directory.CreateDirectory(_directory);
        _store = new SqliteStore(Path.Combine(_directory, "citadel.db"), durableSync: false);
        _store.MigrateAsync(Ct).GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Events_of_the_trail_appear_in_CloudTrail_files_rotated_by_count_then_by_age()
    {
        var ids = await AppendAsync(25);
        using var stream = NewStream(maxEvents: 10);

        await stream.RunOnceAsync(Ct);
        var afterCount = Files();
        _clock.Advance(TimeSpan.FromMinutes(10));
        await stream.RunOnceAsync(Ct);

        Assert.Equal(2, afterCount.Count);
        Assert.Equal(ids[..20], afterCount.SelectMany(EventIds).Order().ToList());
        Assert.Equal(ids, Files().SelectMany(EventIds).Order().ToList());
        Assert.Equal(3, Files().Count);
        Assert.Contains(
            $"AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/03/111122223333_CloudTrail_us-east-1_20261203T1200Z_{AuditStream.UniqueName("local", 1)}.json.gz",
            Files().Select(file => Path.GetRelativePath(Sink, file)));
        Assert.Equal(0, stream.LagEvents);
    }

    [Fact]
    public async Task A_new_stream_on_the_same_directory_resumes_after_its_checkpoint_with_no_gap_and_no_duplicate()
    {
        var ids = await AppendAsync(15);
        using (var before = NewStream(maxEvents: 10))
        {
            await before.RunOnceAsync(Ct);
        }

        ids.AddRange(await AppendAsync(10));
        _clock.Advance(TimeSpan.FromMinutes(10));
        using var after = NewStream(maxEvents: 10);
        await after.RunOnceAsync(Ct);

        Assert.Equal(ids, Files().SelectMany(EventIds).Order().ToList());
    }

    [Fact]
    public async Task A_file_written_again_after_a_crash_before_its_checkpoint_replaces_itself_even_when_it_now_holds_more_events()
    {
        var ids = await AppendAsync(3);
        _clock.Advance(TimeSpan.FromMinutes(10));
        using (var before = NewStream(maxEvents: 10))
        {
            await before.RunOnceAsync(Ct);
        }

        var checkpoint = Assert.Single(Directory.GetFiles(Path.Combine(Sink, ".citadel-stream")));
        Assert.Equal("local 3\n", await File.ReadAllTextAsync(checkpoint));
        // The crash: the file reached the disk, its checkpoint did not.
        await File.WriteAllTextAsync(checkpoint, "local 0\n");
        ids.AddRange(await AppendAsync(7));
        using var after = NewStream(maxEvents: 10);
        await after.RunOnceAsync(Ct);

        var file = Assert.Single(Files());
        Assert.Equal(ids, EventIds(file).ToList());
        Assert.Equal("local 10\n", await File.ReadAllTextAsync(checkpoint));
    }

    [Fact]
    public async Task A_directory_that_cannot_be_written_fails_the_pass_and_the_next_pass_after_the_fix_writes_every_event()
    {
        var ids = await AppendAsync(4);
        Directory.CreateDirectory(Sink);
        await File.WriteAllTextAsync(Path.Combine(Sink, "AWSLogs"), "a file where the folder should be");
        _clock.Advance(TimeSpan.FromMinutes(10));
        using var stream = NewStream(maxEvents: 10);

        var failure = await Assert.ThrowsAnyAsync<IOException>(() => stream.RunOnceAsync(Ct));
        File.Delete(Path.Combine(Sink, "AWSLogs"));
        await stream.RunOnceAsync(Ct);

        Assert.Contains("AWSLogs", failure.Message, StringComparison.Ordinal);
        Assert.Equal(ids, Files().SelectMany(EventIds).ToList());
    }

    [Fact]
    public async Task A_damaged_checkpoint_stops_the_stream_with_what_to_do()
    {
        await AppendAsync(1);
        var checkpoint = await WriteCheckpointAsync("local twelve");
        using var stream = NewStream(maxEvents: 10);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => stream.RunOnceAsync(Ct));

        Assert.Equal(
            $"the checkpoint {checkpoint} is damaged (it should hold \"local <sequence>\"); delete it to stream chain local again from its start (the files written before are replaced, not duplicated)",
            failure.Message);
    }

    [Fact]
    public async Task A_checkpoint_ahead_of_the_trail_stops_the_stream_instead_of_skipping_the_events_that_reuse_its_numbers()
    {
        await AppendAsync(3);
        var checkpoint = await WriteCheckpointAsync("local 50\n");
        using var stream = NewStream(maxEvents: 10);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => stream.RunOnceAsync(Ct));

        Assert.Equal(
            "the checkpoint of chain local is at event 50, but the trail ends at 3 (was the database restored from an older backup?); "
            + $"move the directory's files aside and delete {checkpoint} to stream the chain again from its start",
            failure.Message);
        Assert.Empty(Files());
    }

    /// <summary>Writes chain "local"'s checkpoint as given (damaged or ahead, for the tests of what the stream makes of it).</summary>
    private async Task<string> WriteCheckpointAsync(string content)
    {
        Directory.CreateDirectory(Path.Combine(Sink, ".citadel-stream"));
        var checkpoint = Path.Combine(Sink, ".citadel-stream", "local.checkpoint");
        await File.WriteAllTextAsync(checkpoint, content);
        return checkpoint;
    }

    private AuditStream NewStream(int maxEvents) =>
        new(_store, new AuditStreamOptions { Directory = Sink, MaxEvents = maxEvents, MaxAge = TimeSpan.FromMinutes(5) }, _clock, NullLogger<AuditStream>.Instance);

    /// <summary>Appends events to chain "local", one a second from <see cref="Start"/>; returns their ids (ordered as strings sort).</summary>
    private async Task<List<string>> AppendAsync(int count)
    {
        var records = new List<AuditRecord>();
        for (var i = 0; i < count; i++)
        {
            var sequence = ++_sequence;
            var id = $"00000000-0000-7000-8000-{sequence:D12}";
            var time = Start.AddSeconds(sequence);
            var json = $$"""{"eventID":"{{id}}","awsRegion":"us-east-1","eventName":"Encrypt","recipientAccountId":"111122223333"}""";
            records.Add(new AuditRecord("local", sequence, id, time, "111122223333", "Encrypt", "kms.amazonaws.com", null, null, null, true, json, "", sequence.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)));
        }

        await _store.AppendAsync("local", records, Ct);
        return records.Select(r => r.EventId).ToList();
    }

    private List<string> Files() =>
        Directory.Exists(Sink) ? Directory.GetFiles(Sink, "*.json.gz", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];

    private static IEnumerable<string> EventIds(string file)
    {
        using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        using var document = JsonDocument.Parse(gzip);
        return document.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("eventID").GetString()!).ToList();
    }
}
