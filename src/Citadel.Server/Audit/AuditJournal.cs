using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Citadel.Server.Audit;

/// <summary>
/// A node's audit journal: an append-only file of <see cref="AuditFrame"/>s, where an event is durable
/// once a batch's one write and one fdatasync returned. The file is written with zeros to its full
/// size when created, so appending never grows it: fdatasync then has no size or block allocation
/// to commit, which made it take about 100 µs instead of 250 µs here. The queryable trail (the
/// store's audit table) is filled from it behind the requests; once everything in a full journal is
/// there, the writer starts it again from the beginning (<see cref="Rewind"/>) instead of writing a
/// new one with zeros — as many bytes again as the events, a disk the events already keep busy.
/// The frames end where zeros, a frame a crash tore, or the frames of the journal's previous use
/// begin: those are older, and a frame whose sequence number does not follow is never read as new
/// (<see cref="AuditFrame.DecodeAll"/>). The open journal is locked (flock), so another process that
/// drains leftovers never takes it.
/// </summary>
internal sealed partial class AuditJournal : IDisposable
{
    internal static ReadOnlySpan<byte> Magic => "CTDLAUD1"u8;

    private readonly SafeFileHandle _file;
    private readonly bool _sync;

    /// <summary>The file's size: frames are written up to it.</summary>
    private readonly long _capacity;

    /// <summary>Where the frames begin, after the header.</summary>
    private readonly long _framesAt;

    private AuditJournal(string path, SafeFileHandle file, long framesAt, long capacity, bool sync)
    {
        Path = path;
        _file = file;
        Length = _framesAt = framesAt;
        _capacity = capacity;
        _sync = sync;
    }

    public bool HasRoomFor(int bytes) => Length + bytes <= _capacity;

    public string Path { get; }

    /// <summary>Where the next frames go: the header and the frames written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Set when the journal is retired: every event in it has at most this sequence number.</summary>
    public long LastSequence { get; set; }

    /// <summary>Set when the journal is retired full (not after a failed write): once the store has its events, it may be used again.</summary>
    public bool Reusable { get; set; }

    /// <summary>
    /// Starts a new journal for <paramref name="chainId"/> with room for <paramref name="capacity"/>
    /// bytes of frames. It is created under a temporary name, locked, filled with zeros, made durable
    /// and only then renamed, so a draining process never sees it unlocked.
    /// </summary>
    public static AuditJournal Create(string directory, string chainId, bool sync, long capacity)
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
            var zeros = new byte[1 << 20];
            for (long at = header.Length; at < header.Length + capacity; at += zeros.Length)
            {
                RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, header.Length + capacity - at)), at);
            }

            RandomAccess.Write(file, header, 0);
            var journal = new AuditJournal(name + ".journal", file, header.Length, header.Length + capacity, sync);
            journal.Sync();
            File.Move(name + ".tmp", journal.Path);
            if (sync)
            {
                SyncDirectory(directory);
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
    /// Starts the journal again from its first frame, for a later stretch of the same chain. Only
    /// for a journal whose events are all in the store: until new frames overwrite them, the old
    /// ones stay readable, and a drain skips them as already stored; after them, the old frames
    /// that remain do not follow the new ones in sequence, so they are not read.
    /// </summary>
    public AuditJournal Rewind()
    {
        Length = _framesAt;
        LastSequence = 0;
        Reusable = false;
        return this;
    }

    public void Append(ReadOnlySpan<byte> frames)
    {
        RandomAccess.Write(_file, frames, Length);
        Length += frames.Length;
    }

    /// <summary>Makes what was appended durable: fdatasync, unless the server runs with process durability.</summary>
    public void Sync()
    {
        if (!_sync)
        {
            return;
        }

        if (OperatingSystem.IsLinux())
        {
            if (FdataSync((int)_file.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync of the audit journal {Path} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        else
        {
            RandomAccess.FlushToDisk(_file);
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Closes and deletes the journal (everything in it is in the store).</summary>
    public void Delete()
    {
        File.Delete(Path);
        Dispose();
    }

    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // The rename must survive a power cut too: sync the directory entry.
        var fd = Open(directory, 0);
        if (fd < 0)
        {
            throw new IOException($"Could not open {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(int fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
