using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Citadel.Storage;

/// <summary>
/// Opens a file for reading without taking .NET's advisory lock. A running server holds its audit
/// journals under an exclusive flock, which .NET's own read-only opens would wait on (they take a shared
/// one); a backup, and the trail reading a record from the journal being written (<see cref="JournalSegments"/>),
/// only read, so they open the file with open(2) directly.
/// </summary>
public static partial class UnlockedRead
{
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (Linux)
    private const int NotPermitted = 1; // EPERM
    private const int NoSuchFile = 2; // ENOENT
    private const int PermissionDenied = 13; // EACCES

    public static FileStream Open(string path) => new(OpenHandle(path), FileAccess.Read);

    /// <summary>
    /// The file opened for reading; <see cref="FileNotFoundException"/> when there is none, and
    /// <see cref="UnauthorizedAccessException"/> saying what to do when this process may not read it (a data directory
    /// restored or copied by another user, typically root, for a server that runs as its own).
    /// </summary>
    public static SafeFileHandle OpenHandle(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        var fd = OpenFile(path, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                NoSuchFile => new FileNotFoundException($"{path} is not there (moved or deleted).", path),
                PermissionDenied or NotPermitted => Denied(path),
                _ => new IOException($"cannot read {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."),
            };
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>What to do when this process may not read <paramref name="path"/> in a data directory, in one line.</summary>
    public static UnauthorizedAccessException Denied(string path) => new(
        $"cannot read {path}: permission denied. The data directory and every file in it must belong to the user Citadel runs as " +
        "(after a restore or a copy made as root, run `chown -R <user>: <data directory>`).");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);
}
