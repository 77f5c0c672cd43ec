using System.Diagnostics;
using System.Globalization;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Bench;

/// <summary>
/// The audit writer alone with 1, 2 and 4 journal stripes (issue 17): events recorded by a number of concurrent callers,
/// each waiting for its event as a request does, through the file journal with real fdatasyncs, each made longer by a
/// given latency (slept in <see cref="AuditWriter.SyncFault"/>, as on a throttled disk; unlike a FUSE disk it does not
/// hold the file's lock meanwhile): events per second, and the process CPU per event (the writer, its syncers and the
/// indexer deriving the SQLite trail).
/// dotnet run -c Release --project bench/Citadel.Bench -- audit-stripes [events] [callers] [added sync µs] [stripes, e.g. 1,2,4]
/// </summary>
internal static class AuditStripes
{
    public static async Task RunAsync(string[] args)
    {
        var events = BenchAudit.Argument(args, 0, 50_000);
        var callers = BenchAudit.Argument(args, 1, 32);
        var addedMicroseconds = BenchAudit.Argument(args, 2, 2000);
        var stripes = args.Length > 3 ? args[3].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [1, 2, 4];
        Console.WriteLine($"{events} events, {callers} callers each waiting for its event, fdatasync + {addedMicroseconds} µs, {Environment.ProcessorCount} cores");
        foreach (var count in stripes)
        {
            var (elapsed, cpu, syncs) = await MeasureAsync(events, callers, addedMicroseconds, count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"stripes {count,2}: {events / elapsed.TotalSeconds,8:0} events/s, {cpu.TotalMicroseconds / events,6:0.0} µs CPU/event, {syncs,6} syncs ({(double)events / syncs,5:0.0} events/sync)"));
        }
    }

    private static async Task<(TimeSpan Elapsed, TimeSpan Cpu, long Syncs)> MeasureAsync(int events, int callers, int addedMicroseconds, int stripes)
    {
        var directory = Directory.CreateTempSubdirectory("citadel-bench-stripes-").FullName;
        try
        {
            var store = new SqliteStore(Path.Combine(directory, "citadel.db"), durableSync: false);
            await store.MigrateAsync(CancellationToken.None);
            var options = new AuditOptions { JournalDirectory = Path.Combine(directory, "audit-journal"), SyncJournal = true, JournalStripes = stripes };
            long syncs = 0;
            var added = TimeSpan.FromMicroseconds(addedMicroseconds);
            using var writer = new AuditWriter(store, options, NullLogger<AuditWriter>.Instance)
            {
                SyncFault = _ =>
                {
                    Interlocked.Increment(ref syncs);
                    if (added > TimeSpan.Zero)
                    {
                        Thread.Sleep(added);
                    }

                    return 0;
                },
            };
            await writer.StartAsync(CancellationToken.None);
            var root = new Principal("111122223333", "arn:aws:iam::111122223333:root", PrincipalType.Root, "111122223333");
            var key = Arns.Key("us-east-1", "111122223333", KeyId.New());
            var body = """{"KeyId":"alias/app","Plaintext":"c2VjcmV0"}"""u8.ToArray();

            // Warm-up (JIT, the first journals), then the measured run.
            await RecordAsync(writer, Math.Min(events / 10, 5000), callers, root, key, body);
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var syncsBefore = Interlocked.Read(ref syncs);
            var clock = Stopwatch.StartNew();
            await RecordAsync(writer, events, callers, root, key, body);
            var elapsed = clock.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var measuredSyncs = Interlocked.Read(ref syncs) - syncsBefore;
            await writer.StopAsync(CancellationToken.None);
            return (elapsed, cpu, measuredSyncs);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Task RecordAsync(AuditWriter writer, int events, int callers, Principal root, string key, byte[] body)
    {
        var left = events;
        return Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                using var entry = new AuditEntry();
                BenchAudit.FillEncrypt(entry.Event, root, key, "bench", Guid.NewGuid().ToString(), body, null);
                await writer.RecordAsync(entry);
            }
        })));
    }
}
