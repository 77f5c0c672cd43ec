using System.Buffers;
using System.Text;
using Citadel.Core.Audit;
using Microsoft.Win32.SafeHandles;

namespace Citadel.Storage;

/// <summary>
/// Reads audit records the SQLite trail points to (<see cref="JournalRecordReference"/>) from the journal segments of
/// a data directory: <c>audit-segments/</c>, where the server moves a journal once what was derived from it is durable,
/// and <c>audit-journal/</c>, where the journal is while it is written. A record whose segment is gone (removed, or
/// cut short) reads as an empty record, which verification reports as changed and LookupEvents returns as it is; a
/// changed byte is found by the hash chain like a changed row. A segment that is there but cannot be read (owned by
/// another user after a restore, an I/O error) is an error that says so, never an empty record: taken for a changed
/// one, it would make an operator's mistake read as tampering and LookupEvents answer events without their record.
/// </summary>
public sealed class JournalSegments : IDisposable
{
    /// <summary>The directory of segments, in the data directory.</summary>
    public const string DirectoryName = "audit-segments";

    /// <summary>The directory of journals being written, in the data directory: the one name every part of Citadel uses for it.</summary>
    public const string JournalDirectoryName = "audit-journal";

    private const int OpenFiles = 16;

    /// <summary>The longest record a reference may name: a journal frame is at most 4 MiB, its record less.</summary>
    private const int MaxRecordBytes = 4 << 20;

    private readonly string[] _directories;
    private readonly Dictionary<string, SafeFileHandle> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public JournalSegments(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        _directories = [Path.Combine(dataDirectory, DirectoryName), Path.Combine(dataDirectory, JournalDirectoryName)];
    }

    /// <summary>The data directory whose segments this reads.</summary>
    public string DataDirectory { get; }

    /// <summary>
    /// Where a journal writer (or a drain) working on <paramref name="journalDirectory"/> keeps finished journals as
    /// segments for <paramref name="trail"/>: its data directory's <see cref="DirectoryName"/> when the journals are
    /// that data directory's <see cref="JournalDirectoryName"/>; null when the trail holds every record itself (the
    /// journals are deleted once derived).
    /// </summary>
    public static string? DirectoryFor(IAuditStore trail, string journalDirectory) =>
        trail.SegmentsDataDirectory is { } data && Path.GetFullPath(journalDirectory) == Path.Combine(Path.GetFullPath(data), JournalDirectoryName)
            ? Path.Combine(Path.GetFullPath(data), DirectoryName)
            : null;

    /// <summary>The record <paramref name="stored"/> refers to, or <paramref name="stored"/> itself when it is a record.</summary>
    public string Resolve(string stored) =>
        JournalRecordReference.TryParse(stored, out var segment, out var offset, out var length) ? Read(segment, offset, length) : stored;

    private string Read(string segment, long offset, int length)
    {
        lock (_lock)
        {
            // A journal moves to audit-segments/ while it may be read: a second look finds it there.
            for (var attempt = 0; attempt < 2; attempt++)
            {
                if (Open(segment, attempt > 0) is not { } file)
                {
                    continue;
                }

                // A reference past the file's end (cut short, or a row rewritten) reads as empty, and nothing is
                // allocated for a length no record has (a frame, record and all, is at most 4 MiB: AuditFrame.MaxLength).
                return length <= MaxRecordBytes && offset + length <= RandomAccess.GetLength(file) ? ReadAt(file, offset, length) : "";
            }

            return "";
        }
    }

    private static string ReadAt(SafeFileHandle file, long offset, int length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var read = 0;
            while (read < length && RandomAccess.Read(file, buffer.AsSpan(read, length - read), offset + read) is var n and > 0)
            {
                read += n;
            }

            return read == length ? Encoding.UTF8.GetString(buffer, 0, length) : "";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private SafeFileHandle? Open(string segment, bool again)
    {
        if (!again && _open.TryGetValue(segment, out var cached))
        {
            return cached;
        }

        if (_open.Remove(segment, out var stale))
        {
            stale.Dispose();
        }

        foreach (var name in new[] { segment + ".journal", segment + ".journal.damaged" })
        {
            foreach (var directory in _directories)
            {
                try
                {
                    var file = UnlockedRead.OpenHandle(Path.Combine(directory, name));
                    if (_open.Count >= OpenFiles)
                    {
                        foreach (var handle in _open.Values)
                        {
                            handle.Dispose();
                        }

                        _open.Clear();
                    }

                    _open[segment] = file;
                    return file;
                }
                catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
                {
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Opens and closes every segment in <paramref name="segmentDirectory"/>: a start fails here, in one line that says what
    /// to do, rather than every read of an event in such a segment later (<see cref="UnauthorizedAccessException"/> or
    /// <see cref="IOException"/>). A directory that is not there holds no segment.
    /// </summary>
    public static void CheckReadable(string segmentDirectory)
    {
        if (!Directory.Exists(segmentDirectory))
        {
            return;
        }

        string[] segments;
        try
        {
            segments = Directory.GetFiles(segmentDirectory, "*.journal*");
        }
        catch (UnauthorizedAccessException)
        {
            throw UnlockedRead.Denied(segmentDirectory);
        }

        foreach (var path in segments)
        {
            try
            {
                UnlockedRead.OpenHandle(path).Dispose();
            }
            catch (FileNotFoundException)
            {
                // Removed since it was listed (retention).
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var handle in _open.Values)
            {
                handle.Dispose();
            }

            _open.Clear();
        }
    }
}
