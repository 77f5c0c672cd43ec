using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A directory mounted through tests/faultfs/faultfs.c, a FUSE passthrough whose fsync/fdatasync, truncate,
/// write and fallocate the test makes fail with EIO or ENOSPC while a real server runs on it (the protocol is
/// in faultfs.c). The helper is compiled from its source on first use, beside the tests; without a C
/// compiler, libfuse3's headers or /dev/fuse the test fails saying what to install (scripts/test.sh installs
/// them), it is never skipped. Unmounted, with its files, on dispose.
/// </summary>
public sealed partial class FaultFs : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    private readonly string _root;

    private FaultFs(string root) => _root = root;

    /// <summary>The mount point: what is written here goes to a backing directory beside it.</summary>
    public string Path => System.IO.Path.Combine(_root, "mnt");

    /// <summary>The directory the mount mirrors, to look at files past the FUSE layer (and its faults).</summary>
    public string Backing => System.IO.Path.Combine(_root, "backing");

    private string ControlFile => System.IO.Path.Combine(Path, ".faultfs");

    public static async Task<FaultFs> MountAsync()
    {
        var binary = await Binary.Value;
        var volume = new FaultFs(Directory.CreateTempSubdirectory("citadel-faultfs-").FullName);
        Directory.CreateDirectory(volume.Backing);
        Directory.CreateDirectory(volume.Path);

        // It returns once mounted, and serves in the background until unmounted.
        var (code, error) = await RunAsync(binary, volume.Backing, volume.Path);
        if (code != 0 || !File.Exists(volume.ControlFile))
        {
            await volume.DisposeAsync();
            Assert.Fail($"faultfs did not mount {volume.Path} (exit code {code}; it needs /dev/fuse and the right to mount: run the end-to-end tests as root): {error}");
        }

        return volume;
    }

    /// <summary>Writes one line to the control file, e.g. "match=/audit-journal/ fsync=EIO truncate=EIO", or "off".</summary>
    public void Set(string line) => File.WriteAllText(ControlFile, line + "\n");

    /// <summary>How many calls the fault of <paramref name="operation"/> (fsync, truncate, write, fallocate) has failed since the mount.</summary>
    public int Failed(string operation)
    {
        var match = StatusWord().Matches(File.ReadAllText(ControlFile)).Single(m => m.Groups[1].Value == operation);
        return int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("fusermount3", "-u", "-z", Path);
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Compiles faultfs.c (copied beside the tests) next to it, once per test run.</summary>
    private static async Task<string> BuildAsync()
    {
        if (!File.Exists("/dev/fuse"))
        {
            Assert.Fail("The fault tests mount a FUSE file system and /dev/fuse is missing: install fuse3 (apt-get install -y fuse3) and run them where /dev/fuse exists (a container needs --device /dev/fuse --cap-add SYS_ADMIN).");
        }

        var source = System.IO.Path.Combine(AppContext.BaseDirectory, "faultfs", "faultfs.c");
        var output = System.IO.Path.Combine(AppContext.BaseDirectory, "faultfs", "faultfs");
        var (flagsCode, flags) = await RunAsync("pkg-config", "--cflags", "--libs", "fuse3");
        if (flagsCode != 0)
        {
            Assert.Fail($"The fault tests build their FUSE helper with libfuse3 and pkg-config cannot find it: install pkg-config and libfuse3-dev (scripts/test.sh does; apt-get install -y fuse3 libfuse3-dev gcc pkg-config). {flags}");
        }

        var (code, error) = await RunAsync("cc", ["-O2", "-Wall", "-o", output, source, .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        if (code != 0)
        {
            Assert.Fail($"Compiling {source} failed (it needs a C compiler, gcc, and libfuse3-dev: scripts/test.sh installs them): {error}");
        }

        return output;
    }

    /// <summary>Runs a program to its end: its exit code and what it wrote (standard output, then standard error); a missing program is code 127.</summary>
    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, (await output).Trim() + error);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (127, $"{file}: {exception.Message}");
        }
    }

    [GeneratedRegex(@"(\w+)=\S+ (\d+)")]
    private static partial Regex StatusWord();
}
