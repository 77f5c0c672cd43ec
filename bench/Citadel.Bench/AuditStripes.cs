using System.Diagnostics;
using System.Diagnostics.Metrics;
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
/// indexer deriving the SQLite trail), syncs and journal writes per second, and each event's wait (p50, p99). With a list of
/// sync paces (<see cref="AuditOptions.SyncPace"/>, µs, 0 = unpaced) each stripe count runs with each pace, alternating.
/// dotnet run -c Release --project bench/Citadel.Bench -- audit-stripes [events] [callers] [added sync µs] [stripes, e.g. 1,2,4] [paces µs, e.g. 0,500]
/// </summary>
internal static class AuditStripes
{
    public static async Task RunAsync(string[] args)
    {
        var events = BenchAudit.Argument(args, 0, 50_000);
        var callers = BenchAudit.Argument(args, 1, 32);
        var addedMicroseconds = BenchAudit.Argument(args, 2, 2000);
        var stripes = args.Length > 3 ? args[3].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [1, 2, 4];
        var paces = args.Length > 4 ? args[4].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [0];
        Console.WriteLine($"{events} events, {callers} callers each waiting for its event, fdatasync + {addedMicroseconds} µs, {Environment.ProcessorCount} cores");
        foreach (var count in stripes)
        {
            foreach (var pace in paces)
            {
                var run = await MeasureAsync(events, callers, addedMicroseconds, count, pace);
                var seconds = run.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"stripes {count,2} pace {pace,4} µs: {events / seconds,8:0} events/s, {run.Cpu.TotalMicroseconds / events,6:0.0} µs CPU/event, " +
                    $"{run.Syncs / seconds,6:0} syncs/s ({(double)events / run.Syncs,5:0.0} events/sync), {run.Writes / seconds,6:0} writes/s, " +
                    $"wait p50 {run.P50.TotalMicroseconds,6:0} µs p99 {run.P99.TotalMicroseconds,6:0} µs"));
            }
        }
    }

    private static async Task<Run> MeasureAsync(int events, int callers, int addedMicroseconds, int stripes, int pace)
    {
        var directory = Directory.CreateTempSubdirectory("citadel-bench-stripes-").FullName;
        try
        {
            var store = new SqliteStore(Path.Combine(directory, "citadel.db"), durableSync: false);
            await store.MigrateAsync(CancellationToken.None);
            var options = new AuditOptions { JournalDirectory = Path.Combine(directory, "audit-journal"), SyncJournal = true, JournalStripes = stripes, SyncPace = TimeSpan.FromMicroseconds(pace) };
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
            await RecordAsync(writer, Math.Min(events / 10, 5000), callers, root, key, body, null);
            long writes = 0;
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "citadel.audit.batches")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref writes, value));
            listener.Start();
            var waits = new long[events];
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var syncsBefore = Interlocked.Read(ref syncs);
            var clock = Stopwatch.StartNew();
            await RecordAsync(writer, events, callers, root, key, body, waits);
            var elapsed = clock.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var measuredSyncs = Interlocked.Read(ref syncs) - syncsBefore;
            var measuredWrites = Interlocked.Read(ref writes);
            listener.Dispose();
            await writer.StopAsync(CancellationToken.None);
            Array.Sort(waits);
            return new Run(elapsed, cpu, measuredSyncs, measuredWrites, Stopwatch.GetElapsedTime(0, waits[events / 2]), Stopwatch.GetElapsedTime(0, waits[events * 99 / 100]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Records <paramref name="events"/> events from <paramref name="callers"/> loops; each one's wait (in Stopwatch ticks) goes to <paramref name="waits"/> when given.</summary>
    private static Task RecordAsync(AuditWriter writer, int events, int callers, Principal root, string key, byte[] body, long[]? waits)
    {
        var left = events;
        return Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Decrement(ref left)) >= 0)
            {
                using var entry = new AuditEntry();
                BenchAudit.FillEncrypt(entry.Event, root, key, "bench", Guid.NewGuid().ToString(), body, null);
                var started = Stopwatch.GetTimestamp();
                await writer.RecordAsync(entry);
                if (waits is not null)
                {
                    waits[index] = Stopwatch.GetTimestamp() - started;
                }
            }
        })));
    }

    /// <summary>One measured run: its time, the process CPU, the syncs and journal writes, and the events' waits.</summary>
    private sealed record Run(TimeSpan Elapsed, TimeSpan Cpu, long Syncs, long Writes, TimeSpan P50, TimeSpan P99);
}
