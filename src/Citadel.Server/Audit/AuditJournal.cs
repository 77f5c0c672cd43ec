using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Citadel.Core.Audit;
using Citadel.Storage;
using Microsoft.Win32.SafeHandles;

namespace Citadel.Server.Audit;

/// <summary>
/// A node's audit journal: an append-only file of <see cref="AuditFrame"/>s, where an event is durable
/// once a batch's write and the fdatasync after it returned. The file grows as frames are appended:
/// nothing is written ahead with zeros, so a full disk costs no more than the events, and space freed
/// is not taken back by spare journals. (Pre-allocated journals saved the sync the size change, about
/// 150 µs here; with the syncer running beside the appender, a sync no longer holds up the next batch.)
/// The queryable trail (the store's audit table) is derived from it behind the requests; once what was
/// derived from a full journal is durable, the journal is deleted. The frames end where the file ends
/// or a frame a crash tore begins. The open journal is locked (flock), so another process that drains
/// leftovers never takes it.
/// </summary>
internal sealed partial class AuditJournal : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "CTDLAUD1"u8;

    private readonly SafeFileHandle _file;
    private readonly bool _sync;

    /// <summary>Where the frames begin, after the header.</summary>
    private readonly long _framesAt;

    private AuditJournal(string path, SafeFileHandle file, long framesAt, bool sync)
    {
        Path = path;
        _file = file;
        Length = _framesAt = framesAt;
        _sync = sync;
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

    /// <summary>
    /// Starts a new, empty journal for <paramref name="chainId"/>. It is created under a temporary
    /// name, locked, its header made durable and only then renamed, so a draining process never sees
    /// it unlocked.
    /// </summary>
    public static AuditJournal Create(string directory, string chainId, bool sync)
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
            var journal = new AuditJournal(name + ".journal", file, header.Length, sync);
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
    /// Appends with one write. When the write fails (a full disk), the file is cut back to where it
    /// began, so no part of the frames stays behind, and <see cref="JournalWriteException.Undone"/>
    /// says so; if even that fails, the journal is <see cref="Broken"/>.
    /// </summary>
    public void Append(ReadOnlySpan<byte> frames)
    {
        try
        {
            RandomAccess.Write(_file, frames, Length);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            try
            {
                // Cutting a file back needs no free space.
                RandomAccess.SetLength(_file, Length);
            }
            catch (Exception truncate) when (truncate is IOException or UnauthorizedAccessException)
            {
                Broken = true;
                throw new JournalWriteException(exception, undone: false);
            }

            throw new JournalWriteException(exception, undone: true);
        }

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
                throw new IOException($"{Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())} (fdatasync of the audit journal {Path})");
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

    /// <summary>
    /// The sequence number and hash of the last intact frame of <paramref name="chainId"/> that journals
    /// left by an earlier run hold (journals locked by a running server are left alone), or null when
    /// there is none. A writer continues the chain from it before the frames are in the store.
    /// </summary>
    public static (long Sequence, byte[] Hash)? LastFrame(string directory, string chainId)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        (long Sequence, byte[] Hash)? last = null;
        var records = new List<AuditRecordUtf8>();
        foreach (var path in Directory.GetFiles(directory, "*.journal"))
        {
            byte[] bytes;
            try
            {
                using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.None);
                bytes = new byte[RandomAccess.GetLength(file)];
                var read = 0;
                while (read < bytes.Length && RandomAccess.Read(file, bytes.AsSpan(read), read) is var n and > 0)
                {
                    read += n;
                }

                bytes = bytes[..read];
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var (chain, framesAt) = ReadHeader(bytes, path);
            if (chain != chainId)
            {
                continue;
            }

            records.Clear();
            AuditFrame.DecodeAll(bytes.AsMemory(framesAt), 0, records);
            if (records.Count > 0 && records[^1].Sequence > (last?.Sequence ?? 0))
            {
                last = (records[^1].Sequence, records[^1].Hash.ToArray());
            }
        }

        return last;
    }

    /// <summary>
    /// Moves what journals left behind (a crash, or a stop before the store had everything) into the
    /// store, then deletes them. Journals locked by a running server are left to it. Records the
    /// store already has are skipped, so draining twice is harmless; a torn tail (never acknowledged)
    /// is dropped. Returns how many records were added.
    /// </summary>
    public static async Task<long> DrainAsync(string directory, IAuditStore store, CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        // Journals are named at random, so the directory lists them in no particular order; a chain's
        // must go to the store in sequence order (an append after a gap would make the store skip the
        // records before it as already there). Each stays locked until it is moved and deleted.
        var journals = new List<(string Path, SafeFileHandle File, ReadOnlyMemory<byte> Bytes, string ChainId, int FramesAt)>();
        try
        {
            foreach (var path in Directory.GetFiles(directory, "*.journal"))
            {
                SafeFileHandle file;
                try
                {
                    file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                try
                {
                    var bytes = new byte[RandomAccess.GetLength(file)];
                    var read = 0;
                    while (read < bytes.Length && RandomAccess.Read(file, bytes.AsSpan(read), read) is var n and > 0)
                    {
                        read += n;
                    }

                    var (chainId, framesAt) = ReadHeader(bytes.AsSpan(0, read), path);
                    journals.Add((path, file, bytes.AsMemory(0, read), chainId, framesAt));
                }
                catch
                {
                    file.Dispose();
                    throw;
                }
            }

            long added = 0;
            foreach (var journal in journals.OrderBy(j => j.ChainId, StringComparer.Ordinal).ThenBy(j => FirstSequence(j.Bytes.Span[j.FramesAt..])))
            {
                added += await MoveToStoreAsync(journal.Bytes[journal.FramesAt..], journal.ChainId, store, ct);
                File.Delete(journal.Path);
            }

            return added;
        }
        finally
        {
            foreach (var journal in journals)
            {
                journal.File.Dispose();
            }
        }
    }

    /// <summary>The chain a journal belongs to and where its frames begin.</summary>
    private static (string ChainId, int FramesAt) ReadHeader(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < Magic.Length + 2 || !bytes.StartsWith(Magic)
            || BinaryPrimitives.ReadUInt16LittleEndian(bytes[Magic.Length..]) is var chainLength && bytes.Length < Magic.Length + 2 + chainLength)
        {
            throw new InvalidDataException($"{path} is not an audit journal. Move it out of the journal directory to start.");
        }

        return (Encoding.UTF8.GetString(bytes.Slice(Magic.Length + 2, chainLength)), Magic.Length + 2 + chainLength);
    }

    /// <summary>The sequence number of the first intact frame, or long.MaxValue for a journal with none.</summary>
    private static long FirstSequence(ReadOnlySpan<byte> frames) =>
        AuditFrame.Measure(frames) > 0 ? AuditFrame.SequenceOf(frames) : long.MaxValue;

    private static async Task<long> MoveToStoreAsync(ReadOnlyMemory<byte> frames, string chainId, IAuditStore store, CancellationToken ct)
    {
        var head = (await store.GetChainHeadAsync(chainId, ct))?.Sequence ?? 0;
        var records = new List<AuditRecordUtf8>();
        AuditFrame.DecodeAll(frames, head, records);
        for (var at = 0; at < records.Count; at += 1024)
        {
            await store.AppendAsync(chainId, records.GetRange(at, Math.Min(1024, records.Count - at)), ct);
        }

        return records.Count;
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
