using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Audit;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Server.Hosting;

namespace Citadel.Bench;

/// <summary>
/// The CPU `citadel backup` spends copying one full audit journal (Encrypt events of about 1 KB, 16 MB, with the 1 MB of
/// zeros the writer keeps ahead): copied as any file is, against read whole, parsed and checked for damage before it is
/// written, as live journals are (issue 17):
/// dotnet run -c Release --project bench/Citadel.Bench -- backup-journal-copy [megabytes] [repeats]
/// Process CPU time around each copy (so other processes on the machine count for little); the copies' files are in the page cache.
/// </summary>
internal static class BackupJournalCopy
{
    private const string Account = "111122223333";

    public static async Task RunAsync(string[] args)
    {
        var megabytes = BenchAudit.Argument(args, 0, 16);
        var repeats = BenchAudit.Argument(args, 1, 10);
        var directory = Directory.CreateTempSubdirectory("citadel-bench-copy-").FullName;
        try
        {
            var (path, events) = WriteJournal(directory, megabytes << 20);
            var length = new FileInfo(path).Length;
            Console.WriteLine($"a journal of {events} events, {length} bytes; {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

            // The store's backup is not used by the journal copy.
            var writer = new BackupWriter(null!, TextWriter.Null, TimeProvider.System);
            using var buffer = new MemoryStream();
            var plain = new List<TimeSpan>();
            var checkedCopy = new List<TimeSpan>();
            for (var i = 0; i < repeats + 1; i++)
            {
                var asFile = await MeasureAsync(() => BackupWriter.CopyAsync(path, Fresh(directory, "plain"), directory, CancellationToken.None));
                var asJournal = await MeasureAsync(() => writer.CopyJournalAsync(path, Fresh(directory, "checked"), directory, buffer, CancellationToken.None));
                if (i > 0)
                {
                    // The first of each is a warm-up (JIT, the buffer's growth).
                    plain.Add(asFile);
                    checkedCopy.Add(asJournal);
                }
            }

            Report("copied as a file", plain, length, events);
            Report("read whole, parsed, written", checkedCopy, length, events);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A journal as the writer leaves it once it is full: frames in batches of 16, zeros ahead of them.</summary>
    private static (string Path, int Events) WriteJournal(string directory, long bytes)
    {
        var principal = new Principal(Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account);
        var keys = Enumerable.Range(0, 10).Select(_ => Arns.Key("us-east-1", Account, KeyId.New())).ToArray();
        using var frames = new FrameBuffer(16 * 2048);
        using var entry = new AuditEntry();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var hash = new byte[32];
        var hex = Encoding.ASCII.GetBytes(AuditChain.Genesis);
        var start = DateTimeOffset.UtcNow;
        using var journal = AuditJournal.Create(directory, "local", sync: true);
        var sequence = 0;
        while (journal.Length < bytes)
        {
            frames.Clear();
            for (var i = 0; i < 16; i++)
            {
                sequence++;
                BenchAudit.WriteEncryptFrame(frames, entry, principal, keys[sequence % keys.Length], start.AddTicks(sequence * 1_000L), sequence, hash, hex, sha256);
            }

            journal.Append(frames.Written);
        }

        return (journal.Path, sequence);
    }

    private static string Fresh(string directory, string name)
    {
        var path = Path.Combine(directory, name + ".copy");
        File.Delete(path);
        return path;
    }

    private static async Task<TimeSpan> MeasureAsync(Func<Task<BackupFile>> copy)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        await copy();
        process.Refresh();
        return process.TotalProcessorTime - cpu;
    }

    private static void Report(string what, List<TimeSpan> cpu, long length, int events)
    {
        var sorted = cpu.Order().ToList();
        var median = sorted[sorted.Count / 2];
        Console.WriteLine(FormattableString.Invariant(
            $"{what}: CPU {median.TotalMilliseconds:0.0} ms median ({sorted[0].TotalMilliseconds:0.0}–{sorted[^1].TotalMilliseconds:0.0}), {median.TotalMilliseconds * 1000 / events:0.00} µs/event, {median.TotalMilliseconds / (length / 1048576.0):0.00} ms/MB"));
    }
}
