using System.Diagnostics;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Identity;
using Citadel.Storage.Sqlite;
using Citadel.Storage;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The server's data directory on a small tmpfs that the test fills. Mounting needs root, which CI
/// has here; without it the test fails saying so, it is never skipped.
/// </summary>
[Trait("Issue", "17")]
public sealed class AuditDiskFullTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>
    /// With one journal file and with two (the default). With two, once one stripe's write fails for lack of
    /// space the other stripe takes no events either, though the zeros written ahead of its frames would
    /// (docs/audit.md, "A full disk"): every request fails from then on, until space returns.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task On_a_full_volume_the_server_starts_answers_LookupEvents_fails_KMS_requests_with_one_log_line_and_recovers_by_itself_when_space_returns(int stripes)
    {
        await using var volume = await TmpfsVolume.MountAsync(megabytes: 48);
        var dataDirectory = Path.Combine(volume.Path, "data");
        await using var server = new ServerProcess(dataDirectory);
        server.Environment["CITADEL_Audit__JournalStripes"] = stripes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await server.StartAsync();
        var acknowledged = new List<string>();
        string keyId;
        using (var kms = server.Client())
        {
            keyId = (await kms.NewKeyAsync()).KeyId;
            for (var i = 0; i < 20; i++)
            {
                acknowledged.Add((await kms.EncryptAsync(keyId, [(byte)i])).ResponseMetadata.RequestId);
            }
        }

        // Killed: what its journal holds may not be in the database yet, and the next start must not
        // need to move it there (the database cannot grow on a full disk) before it serves.
        server.Kill();
        var filler = volume.Fill("filler");
        await server.StartAsync();

        // Reads answer. Then space for one event, so that a journal is open when the disk fills
        // again: its writes fail, not only the creation of a new one.
        var lookup = await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "CreateKey"));
        Assert.Single(lookup);
        File.Delete(filler);
        using (var kms = server.Client())
        {
            acknowledged.Add((await kms.EncryptAsync(keyId, [3])).ResponseMetadata.RequestId);
        }

        // The killed server's journal is moved into the database in the background and then deleted,
        // which frees space: wait for that, so the volume stays full once filled again.
        await Kms.EventuallyAsync(
            () => Task.FromResult(Directory.GetFiles(Path.Combine(dataDirectory, "audit-journal"), "*.journal").Length == 1),
            "the journal the killed server left is moved into the trail and deleted",
            TimeSpan.FromSeconds(30));
        var topUp = volume.Fill("top-up");
        using (var kms = server.Client())
        {
            // The open journal's zeros written ahead of its frames (up to 1 MB, AuditJournal.ZeroAhead) still take events.
            var failedFirst = false;
            for (var i = 0; i < 5000 && !failedFirst; i++)
            {
                try
                {
                    acknowledged.Add((await kms.EncryptAsync(keyId, [1])).ResponseMetadata.RequestId);
                }
                catch (KMSInternalException)
                {
                    failedFirst = true;
                }
            }

            Assert.True(failedFirst, "A request failed once the volume was full.");

            // Once one fails, every one does: with two stripes, the other's zeros written ahead take none.
            for (var i = 0; i < 50; i++)
            {
                var failed = await Assert.ThrowsAsync<KMSInternalException>(() => kms.EncryptAsync(keyId, [1]));
                Assert.Equal(500, (int)failed.StatusCode);
            }
        }

        // The server's output is read from its pipe as it comes: the line may arrive after the answers.
        static bool CouldNotWrite(string line) => line.Contains("Could not write", StringComparison.Ordinal) && line.Contains("audit events", StringComparison.Ordinal);
        await Kms.EventuallyAsync(() => Task.FromResult(server.Output.Any(CouldNotWrite)), "the server logs that the journal could not be written");
        Assert.Equal(1, server.Output.Count(CouldNotWrite));

        // While it lasts, /health/ready says why (its answer is cached for a second).
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            string? audit = null;
            await Kms.EventuallyAsync(
                async () =>
                {
                    using var ready = await http.GetAsync($"{server.Endpoint}/health/ready");
                    using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
                    audit = body.RootElement.GetProperty("checks").GetProperty("audit").GetString();
                    return ready.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable;
                },
                "/health/ready answers 503 while the volume is full");
            Assert.StartsWith("the audit journal could not be written: No space left on device", audit, StringComparison.Ordinal);
        }

        File.Delete(topUp);
        using (var kms = server.Client())
        {
            // No restart: the next request's write finds the space.
            acknowledged.Add((await kms.EncryptAsync(keyId, [2])).ResponseMetadata.RequestId);
        }

        await Kms.EventuallyAsync(
            () => Task.FromResult(server.Output.Any(line => line.Contains("The audit journal is writable again", StringComparison.Ordinal))),
            "the server logs that the journal is writable again");
        await Kms.EventuallyAsync(
            async () => (await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "Encrypt"))).Count == acknowledged.Count,
            "the trail holds every acknowledged Encrypt, those the killed server left in its journal included",
            TimeSpan.FromSeconds(30));
        server.Kill();

        await using var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None);
        using var writer = new StringWriter();
        await admin.Audit.ExportJsonLinesAsync(writer, null, null, CancellationToken.None);
        var stored = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(record => record.GetProperty("eventName").GetString() == "Encrypt")
            .Select(record => record.GetProperty("requestID").GetString())
            .ToList();
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        var chain = Assert.Single(await admin.Audit.VerifyAsync(CancellationToken.None));
        Assert.True(chain.Intact, string.Join(Environment.NewLine, chain.Problems));
        output.WriteLine($"{acknowledged.Count} acknowledged Encrypt events in the trail; the chain verifies across the full-disk episode.");
    }

    /// <summary>A tmpfs of a given size, mounted on a fresh directory and unmounted (with its files) on dispose.</summary>
    private sealed class TmpfsVolume : IAsyncDisposable
    {
        private TmpfsVolume(string path) => Path = path;

        public string Path { get; }

        public static async Task<TmpfsVolume> MountAsync(int megabytes)
        {
            var path = Directory.CreateTempSubdirectory("citadel-full-").FullName;
            var (code, error) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", path);
            if (code != 0)
            {
                Directory.Delete(path);
                Assert.Fail($"This test mounts a {megabytes} MB tmpfs to fill it, which needs root (CI runs as root): mount exited with {code}: {error.Trim()}. Run the end-to-end tests as root.");
            }

            return new TmpfsVolume(path);
        }

        /// <summary>Writes a file until the volume has no space left; returns its path.</summary>
        public string Fill(string name)
        {
            var filler = System.IO.Path.Combine(Path, name);
            using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0);
            var block = new byte[64 << 10];
            try
            {
                while (true)
                {
                    stream.Write(block);
                }
            }
            catch (IOException)
            {
                // Full. Smaller writes take what a 64 KB one could not.
            }

            try
            {
                while (true)
                {
                    stream.Write(block, 0, 512);
                }
            }
            catch (IOException)
            {
            }

            return filler;
        }

        public async ValueTask DisposeAsync()
        {
            await RunAsync("umount", "-l", Path);
            Directory.Delete(Path, recursive: true);
        }

        private static async Task<(int Code, string Error)> RunAsync(string file, params string[] arguments)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, error);
        }
    }
}
