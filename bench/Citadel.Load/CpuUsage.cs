using System.Globalization;

namespace Citadel.Load;

/// <summary>
/// CPU time from Linux /proc, in clock ticks (USER_HZ, 100 a second): the whole machine's busy
/// time and single processes'. What the machine did besides the server, wrk and this tool tells
/// whether a run was disturbed (the figures are only comparable on a quiet machine).
/// </summary>
internal static class CpuUsage
{
    public const double TicksPerSecond = 100;

    public static bool Available => File.Exists("/proc/stat");

    /// <summary>Busy ticks of all CPUs together (user, nice, system, irq, softirq, steal).</summary>
    public static long MachineBusy()
    {
        if (!Available)
        {
            return 0;
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => fields.Length > i ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }

    /// <summary>
    /// Bytes a process caused to be written to storage (<c>write_bytes</c> of /proc/[pid]/io: counted when it
    /// dirties the page cache, whoever writes it back), or null when it is gone: what the audit costs the disk,
    /// which other processes do not disturb.
    /// </summary>
    public static long? WrittenBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/io").FirstOrDefault(l => l.StartsWith("write_bytes:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["write_bytes:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>User plus system ticks of a process, or null when it is gone.</summary>
    public static long? Process(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command name: state is field 3, utime field 14 and stime field 15 (proc(5)).
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
