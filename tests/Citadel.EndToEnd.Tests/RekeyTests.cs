using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;

namespace Citadel.EndToEnd.Tests;

/// <summary>`citadel rekey` beside a running server: killed half-way, run again, and every ciphertext decrypts throughout.</summary>
[Trait("Issue", "22")]
public sealed class RekeyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-rekey-e2e-" + Guid.NewGuid().ToString("N"));

    private string RootKey => Path.Combine(_directory, "root.key");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_rekey_killed_half_way_then_run_again_finishes_while_the_server_keeps_decrypting_what_was_encrypted_before()
    {
        await using var server = new ServerProcess(_directory);
        await server.StartAsync();
        var blobs = new ConcurrentBag<(byte[] Plaintext, byte[] Blob)>();
        using (var kms = server.Client())
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, 600), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
            {
                var plaintext = RandomNumberGenerator.GetBytes(16);
                blobs.Add((plaintext, (await kms.EncryptAsync((await kms.NewKeyAsync()).KeyId, plaintext)).CiphertextBlob.ToArray()));
            });
        }

        var oldKey = await File.ReadAllBytesAsync(RootKey);

        // A fresh server has no material cached: each decrypt below unseals from the store.
        server.Kill();
        await server.StartAsync();
        var killed = await RunRekeyUntilFirstProgressThenKillAsync();
        var duringKill = await DecryptAllAsync(server);

        Assert.True(killed, "citadel rekey finished before it could be killed half-way");
        Assert.True(File.Exists(RootKey + ".next"));
        Assert.Equal(oldKey, await File.ReadAllBytesAsync(RootKey));
        Assert.Equal(0, duringKill);

        // A server started half-way opens both keys.
        server.Kill();
        await server.StartAsync();
        using var stop = new CancellationTokenSource();
        var during = Task.Run(async () =>
        {
            var failures = 0;
            while (!stop.IsCancellationRequested)
            {
                failures += await DecryptAllAsync(server);
            }

            return failures;
        });
        var resumed = await CliProcess.RunAsync("rekey", "--data-dir", _directory);
        await stop.CancelAsync();

        Assert.Equal(0, resumed.ExitCode);
        Assert.StartsWith("rekey: resuming the rotation to the root key file ", resumed.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal(0, await during);
        Assert.Equal(0, await DecryptAllAsync(server));
        Assert.NotEqual(oldKey, await File.ReadAllBytesAsync(RootKey));
        Assert.False(File.Exists(RootKey + ".next"));
        Assert.Equal(oldKey, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(_directory, "root.key.retired-*"))));

        server.Kill();
        await server.StartAsync();
        Assert.Equal(0, await DecryptAllAsync(server));
        server.Kill();
        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", _directory);
        Assert.Equal(0, verify.ExitCode);
        Assert.Contains("chain rekey-", verify.Output, StringComparison.Ordinal);
        var export = await CliProcess.RunAsync("audit", "export", "--data-dir", _directory);
        Assert.Contains("\"eventName\":\"RotateRootKey\"", export.Output, StringComparison.Ordinal);

        async Task<int> DecryptAllAsync(ServerProcess target)
        {
            using var kms = target.Client();
            var failures = 0;
            foreach (var (plaintext, blob) in blobs)
            {
                try
                {
                    Assert.Equal(plaintext, (await kms.DecryptAsync(blob)).Plaintext.ToArray());
                }
                catch (Amazon.KeyManagementService.AmazonKeyManagementServiceException)
                {
                    failures++;
                }
            }

            return failures;
        }
    }

    [Fact]
    public async Task A_seal_migration_with_a_server_running_on_the_data_directory_is_refused_in_one_line_and_changes_nothing()
    {
        await using var server = new ServerProcess(_directory);
        await server.StartAsync();

        var result = await CliProcess.RunAsync("rekey", "--data-dir", _directory, "--to-seal", "pkcs11", "--pkcs11-library", "/usr/lib/softhsm/libsofthsm2.so", "--token", "t", "--pin", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"citadel rekey: the data directory {_directory} is in use by another Citadel process (pid {server.Pid} on ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(["root.key"], Directory.GetFiles(_directory, "root.key*").Select(Path.GetFileName));
    }

    /// <summary>Starts `citadel rekey`, kills it (SIGKILL) at its first progress report, and says whether it was still running then.</summary>
    private async Task<bool> RunRekeyUntilFirstProgressThenKillAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "citadel.dll"), "rekey", "--data-dir", _directory])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.EndsWith(" secrets re-wrapped", StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(timeout.Token);
                return true;
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        return false;
    }
}
