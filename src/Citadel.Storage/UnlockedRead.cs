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

    public static FileStream Open(string path) => new(OpenHandle(path), FileAccess.Read);

    /// <summary>The file opened for reading; <see cref="FileNotFoundException"/> when there is none.</summary>
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
            throw errno == 2
                ? new FileNotFoundException($"{path} is not there (moved or deleted).", path)
                : new IOException($"cannot read {path} (errno {errno}).");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);
}
