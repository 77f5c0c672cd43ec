using System.Buffers;
using System.Security.Cryptography;
using Citadel.Server.Audit;
using Citadel.Server.Hosting;
using Citadel.Server.Tests.Fakes;
using Citadel.Storage;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// The backup's copy of a journal the server appends to while it is read (<see cref="BackupWriter.CopyJournalAsync"/>):
/// a batch appended across the boundary of two reads must not leave a copy that reads as damaged, and damage in the
/// server's own file must still reach the restored node's drain.
/// </summary>
public sealed partial class AuditJournalTests
{
    private const int CopyChunk = 1 << 16;

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_journal_appended_to_across_the_boundary_of_two_reads_is_read_again_and_its_copy_drains_whole()
    {
        // The server's journal as it writes it, with zeros ahead of its frames; its frames end a little before the first
        // read's end, and the next batch, appended between the first read and the second, crosses it.
        Frames(200);
        var data = DataDirectory(out var journals);
        using var server = AuditJournal.Create(journals, Chain, sync: true);
        var before = 0;
        while (server.Length + _frames[before].Length <= CopyChunk)
        {
            server.Append(_frames[before++]);
        }

        Assert.InRange(server.Length, CopyChunk - _frames[before].Length + 1, CopyChunk - 3);
        var batch = _frames.Skip(before).Take(10).SelectMany(f => f).ToArray();
        var reads = new List<InterleavedReads>();
        var progress = new StringWriter();
        var writer = Writer(progress, path =>
        {
            var read = new InterleavedReads(UnlockedRead.Open(path), reads.Count == 0 ? () => server.Append(batch) : null);
            reads.Add(read);
            return read;
        });

        var manifest = await writer.WriteAsync(data, Path.Combine(_directory, "backup"), CancellationToken.None);

        // The first read held the batch's end after zeros where its start was, later frames intact: damage to a drain.
        Assert.Equal(2, reads.Count);
        var first = JournalContents.Read(server.Path, reads[0].Bytes).Classify(0);
        Assert.True(first.Damaged);
        Assert.Equal((long)before + 1, first.Gaps[0].LostFirst);
        var copyPath = Path.Combine(_directory, "backup", JournalSegments.JournalDirectoryName, Path.GetFileName(server.Path));
        var copy = await File.ReadAllBytesAsync(copyPath);
        Assert.Equal(reads[1].Bytes.ToArray(), copy);
        var reading = JournalContents.Read(copyPath, copy).Classify(0);
        Assert.False(reading.Damaged);
        Assert.Equal(Enumerable.Range(1, before + 10).Select(i => (long)i), reading.Taken.Select(t => t.Sequence));
        Assert.Contains(new BackupFile($"{JournalSegments.JournalDirectoryName}/{Path.GetFileName(server.Path)}", copy.Length, Convert.ToHexStringLower(SHA256.HashData(copy))), manifest.Files);
        Assert.Contains($"backup: the audit journal {Path.GetFileName(server.Path)} read as damaged at byte {first.Gaps[0].Offset} (an append between two reads, or damage in the file): reading it again", progress.ToString(), StringComparison.Ordinal);
        var store = new MemoryAuditStore();
        Assert.Equal(before + 10, await AuditJournal.DrainAsync(Path.GetDirectoryName(copyPath)!, store, CancellationToken.None));
        Assert.Empty((await IntactAsync(store)).Gaps);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task Damage_in_the_servers_journal_is_copied_as_it_is_after_every_read_and_the_restored_drain_reports_it()
    {
        Frames(20);
        var data = DataDirectory(out var journals);
        var (path, offsets) = JournalIn(journals, [(1, 20)]);
        FlipByte(path, offsets[2] + 200);
        var bytes = await File.ReadAllBytesAsync(path);
        var opened = 0;
        var progress = new StringWriter();
        var writer = Writer(progress, file =>
        {
            opened++;
            return UnlockedRead.Open(file);
        });

        await writer.WriteAsync(data, Path.Combine(_directory, "backup"), CancellationToken.None);

        var copyDirectory = Path.Combine(_directory, "backup", JournalSegments.JournalDirectoryName);
        var copyPath = Path.Combine(copyDirectory, Path.GetFileName(path));
        Assert.Equal(4, opened);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(copyPath));
        Assert.Contains($"backup: the audit journal {Path.GetFileName(path)} read as damaged at byte {offsets[2]} each of the 4 times it was read, so the server's own file is damaged there: it is copied as it is, and the restored server's drain will stop and say what to run", progress.ToString(), StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<AuditJournalDamagedException>(() => AuditJournal.DrainAsync(copyDirectory, new MemoryAuditStore(), CancellationToken.None));
        Assert.StartsWith($"the audit journal {copyPath} is damaged at byte {offsets[2]}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_journal_whose_last_batch_is_half_written_is_read_once_and_copied_with_its_torn_tail()
    {
        // A torn tail is not damage (the drain drops it): reading again would not make the copy any better.
        Frames(12);
        var data = DataDirectory(out var journals);
        var (path, offsets) = JournalIn(journals, [(1, 11)], torn: 12);
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal(offsets[11], JournalContents.Read(path, bytes).Classify(0).UnreadableAfterLast);
        var opened = 0;
        var writer = Writer(TextWriter.Null, file =>
        {
            opened++;
            return UnlockedRead.Open(file);
        });

        await writer.WriteAsync(data, Path.Combine(_directory, "backup"), CancellationToken.None);

        var copyDirectory = Path.Combine(_directory, "backup", JournalSegments.JournalDirectoryName);
        Assert.Equal(1, opened);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(copyDirectory, Path.GetFileName(path))));
        Assert.Equal(11, await AuditJournal.DrainAsync(copyDirectory, new MemoryAuditStore(), CancellationToken.None));
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_journal_file_larger_than_any_journal_stops_the_backup_with_what_to_do_and_is_not_read_into_memory()
    {
        var data = DataDirectory(out var journals);
        var path = Path.Combine(journals, "sparse.journal");
        using (var file = File.Create(path))
        {
            file.SetLength(3L << 30); // sparse: no disk space used
        }

        var allocated = GC.GetTotalAllocatedBytes(); // of the process: the work may move between threads

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Writer(TextWriter.Null, UnlockedRead.Open).WriteAsync(data, Path.Combine(_directory, "backup"), CancellationToken.None));

        Assert.True(GC.GetTotalAllocatedBytes() - allocated < 256 << 20);
        Assert.Equal(
            $"the audit journal {path} is more than 1073741824 bytes, more than any journal Citadel writes, so it is not one or it is damaged, and the server would not start with it. Move it out of {journals} (keep it for forensics), then back up again.",
            error.Message);
    }

    /// <summary>A backup writer whose store copies a database of one byte (the chain has no record yet there) and which opens the files it copies with <paramref name="open"/>.</summary>
    private static BackupWriter Writer(TextWriter progress, Func<string, Stream> open) =>
        new(new FakeStoreBackup(new Dictionary<string, long> { [Chain] = 0 }, () => { }), progress, TimeProvider.System) { OpenToCopy = open };

    /// <summary>A journal of <paramref name="runs"/> in the server's journal directory <paramref name="journals"/> (see <see cref="WriteStripe"/>).</summary>
    private (string Path, List<int> Offsets) JournalIn(string journals, (int First, int Last)[] runs, int? torn = null)
    {
        var (source, offsets) = WriteStripe(runs, torn);
        var path = Path.Combine(journals, Path.GetFileName(source));
        File.Move(source, path);
        return (path, offsets);
    }

    /// <summary>A data directory with a database of one byte (<see cref="FakeStoreBackup"/> copies it) and an empty journal directory.</summary>
    private string DataDirectory(out string journals)
    {
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        journals = Directory.CreateDirectory(Path.Combine(data, JournalSegments.JournalDirectoryName)).FullName;
        File.WriteAllBytes(Path.Combine(data, BackupWriter.DatabaseFileName), [0]);
        return data;
    }

    /// <summary>
    /// A file being copied, read through: after the first read returns, <paramref name="afterFirstRead"/> runs, as the
    /// server would append between two of the copy's reads. Keeps what was read (<see cref="Bytes"/>).
    /// </summary>
    private sealed class InterleavedReads(Stream inner, Action? afterFirstRead) : Stream
    {
        private readonly ArrayBufferWriter<byte> _read = new();

        public ReadOnlyMemory<byte> Bytes => _read.WrittenMemory;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Record(buffer.Span[..read]);
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Record(buffer.AsSpan(offset, read));
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private void Record(ReadOnlySpan<byte> bytes)
        {
            var first = _read.WrittenCount == 0;
            _read.Write(bytes);
            if (first)
            {
                Assert.Equal(CopyChunk, bytes.Length);
                afterFirstRead?.Invoke();
            }
        }
    }
}
