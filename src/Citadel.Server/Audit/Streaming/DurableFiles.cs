using System.Runtime.InteropServices;

namespace Citadel.Server.Audit.Streaming;

/// <summary>
/// Files replaced whole and made durable: written to a temporary name, synced, renamed over the
/// old one, and the directory synced, so after a crash a file is either the old one or the new one,
/// complete. Directories created on the way are synced into their parents too.
/// </summary>
internal static partial class DurableFiles
{
    public static async Task ReplaceAsync(string folder, string name, Func<Stream, CancellationToken, Task> write, CancellationToken ct)
    {
        CreateDirectory(folder);
        var temporary = Path.Combine(folder, "." + name + ".tmp");
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await write(file, ct);
            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path.Combine(folder, name), overwrite: true);
        SyncDirectory(folder);
    }

    /// <summary>Creates <paramref name="folder"/> and any parent missing, each synced into its parent.</summary>
    private static void CreateDirectory(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (Directory.Exists(full))
        {
            return;
        }

        var missing = new Stack<string>();
        for (var at = full; at is not null && !Directory.Exists(at); at = Path.GetDirectoryName(at))
        {
            missing.Push(at);
        }

        Directory.CreateDirectory(full);
        foreach (var created in missing)
        {
            SyncDirectory(Path.GetDirectoryName(created)!);
        }
    }

    /// <summary>Syncs a directory's entries (a rename, a new file) to disk; nothing to do off Linux.</summary>
    internal static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, 0);
        if (fd < 0 || Fsync(fd) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = fd >= 0 ? Close(fd) : 0;
            throw new IOException($"Could not sync the directory {directory} to disk (errno {errno}).");
        }

        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
