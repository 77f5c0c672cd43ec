using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Citadel.Server.Audit;

/// <summary>
/// A node's audit journal: an append-only file of <see cref="AuditFrame"/>s, where an event is durable
/// once a batch's write and the fdatasync after it returned. The open journal is written with zeros
/// at most <see cref="ZeroStretch"/> ahead of its frames, so an append does not change the file's size
/// and its fdatasync commits the data alone; a stretch that cannot be written (a full disk) is skipped,
/// and appends then grow the file. The queryable trail (the store's audit table) is derived from it
/// behind the requests; once what was derived from a full journal is durable, the journal is deleted
/// (journals are never reused). The frames end where the file ends
/// or a frame a crash tore begins. The open journal is locked (flock), so another process that drains
/// leftovers never takes it.
/// </summary>
internal sealed partial class AuditJournal : IDisposable
{
    internal static ReadOnlySpan<byte> Magic => "CTDLAUD1"u8;

    /// <summary>
    /// How far ahead of the frames the file is written with zeros (<see cref="ZeroAhead"/>). An append
    /// that changes the file's size makes the next fdatasync commit the size and the new blocks too;
    /// inside zeros written earlier it commits the data alone.
    /// </summary>
    private const int ZeroStretch = 1 << 20;

    private static readonly byte[] Zeros = new byte[64 << 10];

    private readonly SafeFileHandle _file;
    private readonly bool _sync;

    /// <summary>
    /// Null but in tests, which make an fdatasync fail with it (see <see cref="AuditWriter.SyncFault"/>):
    /// called before each, a non-zero error number fails the sync as fdatasync would with it.
    /// </summary>
    private readonly Func<AuditJournal, int>? _syncFault;

    /// <summary>
    /// Null but in tests, which make a cut fail with it (see <see cref="AuditWriter.CutFault"/>): called before
    /// each cut back (the undoing of a failed write, <see cref="CutBack"/>), a non-zero error number fails it.
    /// </summary>
    private readonly Func<AuditJournal, int>? _cutFault;

    /// <summary>Where the last <see cref="CutBack"/> cut the file (long.MaxValue: none did): a cut there or after has nothing to do.</summary>
    private long _cutTo = long.MaxValue;

    /// <summary>Where the frames begin, after the header.</summary>
    private readonly long _framesAt;

    /// <summary>The end of the file: the frames, then zeros written ahead of them.</summary>
    private long _zeroedTo;

    private AuditJournal(string path, SafeFileHandle file, long framesAt, bool sync, Func<AuditJournal, int>? syncFault, Func<AuditJournal, int>? cutFault)
    {
        Path = path;
        _file = file;
        Length = _framesAt = _zeroedTo = framesAt;
        _sync = sync;
        _syncFault = syncFault;
        _cutFault = cutFault;
    }

    public string Path { get; }

    /// <summary>Where the next frames go: the header and the frames written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Whether a frame was appended.</summary>
    public bool HasFrames => Length > _framesAt;

    /// <summary>Set when the journal is retired: every event in it has at most this sequence number.</summary>
    public long LastSequence { get; set; }

    /// <summary>Set when a write or a sync failed: what the file holds after it is unknown, and it takes no more frames.</summary>
    public bool Broken
    {
        get => Volatile.Read(ref _broken);
        set => Volatile.Write(ref _broken, value);
    }

    private bool _broken;

    /// <summary>What made the journal <see cref="Broken"/> (the first failure's message), said again for the events refused after it.</summary>
    public string? BrokenBy { get; set; }

    /// <summary>
    /// Starts a new, empty journal for <paramref name="chainId"/>. It is created under a temporary
    /// name, locked, its header made durable and only then renamed, so a draining process never sees
    /// it unlocked. <paramref name="syncFault"/> and <paramref name="cutFault"/> are a test's (null in production).
    /// </summary>
    public static AuditJournal Create(string directory, string chainId, bool sync, Func<AuditJournal, int>? syncFault = null, Func<AuditJournal, int>? cutFault = null)
    {
        Hosting.OwnerOnly.CreateDirectory(directory);
        var name = System.IO.Path.Combine(directory, Guid.NewGuid().ToString("N"));
        var file = File.OpenHandle(name + ".tmp", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: 0);
        try
        {
            Hosting.OwnerOnly.Restrict(file);
            var chain = Encoding.UTF8.GetBytes(chainId);
            var header = new byte[Magic.Length + 2 + chain.Length];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(Magic.Length), (ushort)chain.Length);
            chain.CopyTo(header, Magic.Length + 2);
            RandomAccess.Write(file, header, 0);
            var journal = new AuditJournal(name + ".journal", file, header.Length, sync, syncFault, cutFault);
            journal.Sync();
            File.Move(name + ".tmp", journal.Path);
            if (sync)
            {
                Streaming.DurableFiles.SyncDirectory(directory);
            }

            return journal;
        }
        catch
        {
            file.Dispose();
            File.Delete(name + ".tmp");
            throw;
        }
    }

    /// <summary>
    /// Appends with one write. When the write fails (a full disk), the file is cut back to where it
    /// began, so no part of the frames stays behind, and <see cref="JournalWriteException.Undone"/>
    /// says so (and <see cref="JournalWriteException.Freed"/> how much of the zeros written ahead went
    /// with it); if even that fails, the journal is <see cref="Broken"/>, and the frames may be in it
    /// until a <see cref="CutBack"/> to where the write began succeeds.
    /// </summary>
    public void Append(ReadOnlySpan<byte> frames)
    {
        if (_sync && Length + frames.Length > _zeroedTo)
        {
            // A stretch that cannot be written is skipped: the append grows the file and finds out for itself.
            _ = ZeroAhead(Length + frames.Length + ZeroStretch);
        }

        try
        {
            RandomAccess.Write(_file, frames, Length);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var zeros = Math.Max(0, _zeroedTo - Length);
            try
            {
                // Cutting a file back needs no free space.
                FailIfTold(_cutFault, "ftruncate");
                RandomAccess.SetLength(_file, Length);
                _zeroedTo = Length;
            }
            catch (Exception truncate) when (truncate is IOException or UnauthorizedAccessException)
            {
                Broken = true;
                throw new JournalWriteException(exception, undone: false);
            }

            throw new JournalWriteException(exception, undone: true, freed: zeros);
        }

        Length += frames.Length;
    }

    /// <summary>
    /// Writes zeros from the end of the file to <paramref name="end"/>, so that the appends of the next
    /// megabyte or so do not change the file's size (measured: Encrypt with audit on, 32 connections,
    /// see docs/audit.md). One stretch at a time: a full disk loses at most that much to it, and it is
    /// given back with the journal. Readers skip zeros (<see cref="JournalContents"/>). A stretch that
    /// cannot be written is cut back, and the failure returned (null: written).
    /// </summary>
    private Exception? ZeroAhead(long end)
    {
        // After a stretch could not be written, appends grew the file past the zeros: the next stretch begins
        // after the frames, never over them (it began at the old end and zeroed acknowledged events).
        var from = Math.Max(_zeroedTo, Length);
        try
        {
            for (var at = from; at < end; at += Zeros.Length)
            {
                RandomAccess.Write(_file, Zeros.AsSpan(0, (int)Math.Min(Zeros.Length, end - at)), at);
            }

            _zeroedTo = end;
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            try
            {
                RandomAccess.SetLength(_file, from);
            }
            catch (Exception truncate) when (truncate is IOException or UnauthorizedAccessException)
            {
                // Zeros beyond the frames are read as the journal's end; the append decides what is broken.
            }

            return exception;
        }
    }

    /// <summary>
    /// Makes what was appended durable: fdatasync, unless the server runs with process durability. A
    /// failure is an <see cref="IOException"/> whose HResult is the error number (as .NET's own on Unix),
    /// so that a full disk (ENOSPC) is told from an I/O error.
    /// </summary>
    public void Sync()
    {
        if (!_sync)
        {
            return;
        }

        FailIfTold(_syncFault, "fdatasync");
        SyncFile();
    }

    /// <summary>A test's fault (<paramref name="fault"/>, null in production): a non-zero error number fails the step as the system call would.</summary>
    private void FailIfTold(Func<AuditJournal, int>? fault, string call)
    {
        if (fault is not null && OperatingSystem.IsLinux() && fault(this) is var errno and not 0)
        {
            throw Failed(errno, call);
        }
    }

    /// <summary>fdatasync (or a flush to disk elsewhere), without the test's fault: the cut of <see cref="CutBack"/> syncs through it.</summary>
    private void SyncFile()
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(_file);
        }
        else if (FdataSync((int)_file.DangerousGetHandle()) != 0)
        {
            throw Failed(Marshal.GetLastPInvokeError(), "fdatasync");
        }
    }

    private IOException Failed(int errno, string call) => new($"{Marshal.GetPInvokeErrorMessage(errno)} ({call} of the audit journal {Path})", errno);

    /// <summary>The end of the file: the frames and the zeros written ahead of them, or, after a failed write that could not be undone, what it wrote.</summary>
    private long FileEnd => Math.Max(Math.Max(_zeroedTo, Length), RandomAccess.GetLength(_file));

    /// <summary>
    /// Cuts a <see cref="Broken"/> journal back to <paramref name="offset"/>, where the first batch whose
    /// sync failed begins, and syncs the cut (a change of size, which fdatasync commits). Those frames were
    /// written to the page cache though their requests are answered as failed: a process killed before
    /// the trail records their numbers as a gap leaves them to the next start's drain, which would bring
    /// them in as events of requests carried out. Everything after the offset is of failed batches (a
    /// broken journal takes no more frames; a failed write that could not be undone, <see cref="Append"/>,
    /// began at the offset too). Cut there or before already: nothing. The caller keeps appends away
    /// meanwhile. Returns how many bytes the cut freed (the zeros written ahead of the frames too: on a full
    /// disk, space that a <see cref="Probe"/> must not take for space returned). Throws when the cut or its
    /// sync fails.
    /// </summary>
    public long CutBack(long offset)
    {
        if (offset >= _cutTo)
        {
            return 0;
        }

        FailIfTold(_cutFault, "ftruncate");
        var end = FileEnd;

        // Cutting a file back needs no free space.
        RandomAccess.SetLength(_file, offset);
        Length = Math.Min(Length, offset);
        _zeroedTo = offset;
        _cutTo = offset;
        if (_sync)
        {
            SyncFile();
        }

        return Math.Max(0, end - offset);
    }

    /// <summary>How much <see cref="Probe"/> writes: one page, which a write past the end of the file must newly allocate.</summary>
    private const int ProbeBytes = 4096;

    /// <summary>
    /// Whether the volume has space again, after a write or sync of a journal failed for lack of it:
    /// writes a page of zeros past the end of the file (past the zeros written ahead of the frames, which
    /// take appends on a full disk too, so an append into them tells nothing), and past
    /// <paramref name="freed"/> bytes more: what the journals cut off since the disk filled (a failed
    /// batch's frames and the zeros ahead of them, <see cref="CutBack"/>) is free again, but taking it for
    /// space returned would let events resume in it and fail again once it is used up. They are kept as
    /// zeros ahead of the frames (<see cref="ZeroAhead"/>). The file system's count of free blocks
    /// (statvfs) is looked at first, so that a volume that is still full costs no write; a quota
    /// (EDQUOT) is not in that count, so the write decides. Throws <see cref="JournalWriteException"/>
    /// (undone: the file is cut back) when there is still no space.
    /// </summary>
    public void Probe(long freed = 0)
    {
        var needed = ProbeBytes + freed;
        if (FreeBytes() is { } free && free < needed)
        {
            throw new JournalWriteException(
                new IOException($"No space left on device : '{Path}' ({free} bytes free; events resume once more than {needed} are)", Enospc), undone: true);
        }

        if (ZeroAhead(Math.Max(_zeroedTo, Length) + needed) is { } failure)
        {
            throw new JournalWriteException(failure, undone: true);
        }
    }

    /// <summary>ENOSPC, the error number of a write on a full volume (the writer tells a full disk by it, and by <see cref="Edquot"/>).</summary>
    internal const int Enospc = 28;

    /// <summary>EDQUOT, the error number of a write past the owner's quota.</summary>
    internal const int Edquot = 122;

    /// <summary>Free bytes on the journal's volume (all of them: root may write into the blocks kept back for it), or null when it cannot be told.</summary>
    private long? FreeBytes()
    {
        try
        {
            return new DriveInfo(System.IO.Path.GetDirectoryName(Path)!).TotalFreeSpace;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>The name the trail refers to this journal by when it keeps records in segments (<see cref="Core.Audit.JournalRecordReference"/>).</summary>
    public string SegmentName => _segmentName ??= System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>Made once: every batch appended names its segment (a string a batch cost before).</summary>
    private string? _segmentName;

    /// <summary>
    /// Closes the journal, whose events are all in the store, and deletes it, or, for a trail that refers to
    /// records in journal segments (<paramref name="segmentDirectory"/> not null), moves it there.
    /// </summary>
    public void Retire(string? segmentDirectory)
    {
        if (segmentDirectory is not null && _zeroedTo > Length)
        {
            // A segment keeps its frames, not the zeros written ahead of them.
            RandomAccess.SetLength(_file, Length);
        }

        Dispose();
        Keep(Path, segmentDirectory, () => LastEventTime);
    }

    /// <summary>The latest event time of the events appended (the retention job deletes a segment by it).</summary>
    public DateTimeOffset LastEventTime { get; set; }

    /// <summary>
    /// Deletes a journal file whose events are all in the store, or moves it to <paramref name="segmentDirectory"/>
    /// (the trail may refer to its records), durably, with its last-write time set to <paramref name="lastEventTime"/>
    /// (asked for only then), the latest time of an event in it, by which the retention job deletes it.
    /// </summary>
    public static void Keep(string path, string? segmentDirectory, Func<DateTimeOffset> lastEventTime)
    {
        if (segmentDirectory is null)
        {
            File.Delete(path);
            return;
        }

        Hosting.OwnerOnly.CreateDirectory(segmentDirectory);
        var kept = System.IO.Path.Combine(segmentDirectory, System.IO.Path.GetFileName(path));
        File.Move(path, kept, overwrite: true);
        File.SetLastWriteTimeUtc(kept, lastEventTime().UtcDateTime);
        Streaming.DurableFiles.SyncDirectory(segmentDirectory);
        Streaming.DurableFiles.SyncDirectory(System.IO.Path.GetDirectoryName(path)!);
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(int fd);
}
