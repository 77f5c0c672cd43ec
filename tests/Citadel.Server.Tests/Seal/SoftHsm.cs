using System.Diagnostics;
using System.Runtime.InteropServices;
using Citadel.Server.Seal;

namespace Citadel.Server.Tests.Seal;

/// <summary>
/// A private SoftHSM2 token in a temporary directory (SOFTHSM2_CONF points at it for this process).
/// SoftHSM2 is installed by scripts/test.sh; when it is missing the tests fail and say how to install it.
/// </summary>
public sealed class SoftHsm : IDisposable
{
    public const string Library = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Pin = "1234";

    public SoftHsm()
    {
        if (!File.Exists(Library) || !File.Exists("/usr/bin/softhsm2-util"))
        {
            throw new InvalidOperationException("SoftHSM2 is not installed: run `apt-get install -y softhsm2` (scripts/test.sh does this when run as root).");
        }

        Directory.CreateDirectory(Path.Combine(Root, "tokens"));
        var config = Path.Combine(Root, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {Path.Combine(Root, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        // SoftHSM2 reads getenv("SOFTHSM2_CONF"); .NET's Environment does not reach the native environment on Unix.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        _ = NativeMethods.setenv("SOFTHSM2_CONF", config, 1);
        var init = Process.Start(new ProcessStartInfo("/usr/bin/softhsm2-util")
        {
            ArgumentList = { "--init-token", "--free", "--label", TokenLabel, "--pin", Pin, "--so-pin", "5678" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["SOFTHSM2_CONF"] = config },
        })!;
        init.WaitForExit();
        if (init.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token failed: {init.StandardError.ReadToEnd()}");
        }
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "citadel-softhsm-" + Guid.NewGuid().ToString("N"));

    public string TokenLabel { get; } = "citadel-test";

    public Pkcs11SealOptions Options(bool createKey = true, string? pin = null, string keyLabel = "citadel-root") =>
        new(Library, TokenLabel, pin ?? Pin, keyLabel, createKey);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static partial class NativeMethods
{
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int setenv(string name, string value, int overwrite);
}
