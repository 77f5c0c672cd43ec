using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Citadel.Server.Hosting;

/// <summary>
/// Opens a file for reading without taking .NET's advisory lock. A running server holds its audit
/// journals under an exclusive flock, which .NET's own read-only opens would wait on (they take a shared
/// one); a backup only reads, so it opens the file with open(2) directly.
/// </summary>
internal static partial class UnlockedRead
{
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC (Linux)

    public static FileStream Open(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        var fd = OpenFile(path, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == 2
                ? new FileNotFoundException($"{path} disappeared while it was copied.", path)
                : new IOException($"cannot read {path} (errno {errno}).");
        }

        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenFile(string path, int flags);
}
