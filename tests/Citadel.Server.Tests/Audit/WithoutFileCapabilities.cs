using System.Runtime.InteropServices;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// Drops, for the calling thread only, the capabilities that let root read and write any file (CAP_DAC_OVERRIDE,
/// CAP_DAC_READ_SEARCH): a test running as root can then see what a server running as its own user sees of a file it
/// may not read. Linux keeps capabilities per thread, and capset(2) changes the caller's; run it on a thread that ends
/// afterwards. As another user than root it changes nothing, and the file modes apply anyway.
/// </summary>
internal static partial class WithoutFileCapabilities
{
    private const uint Version3 = 0x20080522; // _LINUX_CAPABILITY_VERSION_3
    private const uint DacOverride = 1u << 1;
    private const uint DacReadSearch = 1u << 2;

    public static void Enter()
    {
        var header = new Header { Version = Version3, Pid = 0 };
        var data = new Data[2];
        if (CapGet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capget failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        data[0].Effective &= ~(DacOverride | DacReadSearch);
        if (CapSet(ref header, data) != 0)
        {
            throw new InvalidOperationException($"capset failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Header
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Data
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static partial int CapGet(ref Header header, [Out] Data[] data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static partial int CapSet(ref Header header, Data[] data);
}
