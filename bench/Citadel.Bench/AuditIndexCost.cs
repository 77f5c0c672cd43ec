using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Audit;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Storage;
using Citadel.Storage.Sqlite;

namespace Citadel.Bench;

/// <summary>
/// The CPU and the bytes the audit indexer spends per event deriving the queryable trail on SQLite (issue 17): N
/// chained Encrypt events over a number of keys, about ten per millisecond, appended through
/// <see cref="IAuditStore.AppendDerivedAsync"/> in batches of the indexer's size, each record a reference into a
/// journal segment as the indexer writes it, then made durable (<see cref="IAuditStore.SyncDerivedAsync"/>):
/// dotnet run -c Release --project bench/Citadel.Bench -- audit-index-cost [events] [keys] [batch] [warm-up events]
/// The warm-up events come first, unmeasured: with many keys, the first events of each key in an hour write its resource
/// hours (twice as many rows as keys, at random places), which a server spreads over the hour and a short run does not.
/// CITADEL_BENCH_SQL, if set, is run on the new database first (an experiment on the schema). Only the store calls are
/// measured: process CPU time around each (so other processes count for little), the calling thread's too, and the bytes
/// the process handed to write calls (/proc/self/io wchar: the database, its WAL and checkpoints).
/// </summary>
internal static class AuditIndexCost
{
    private const string Account = "111122223333";
    private const string Chain = "local";

    public static async Task RunAsync(string[] args)
    {
        var events = BenchAudit.Argument(args, 0, 200_000);
        var keyCount = BenchAudit.Argument(args, 1, 10);
        var batch = BenchAudit.Argument(args, 2, 500);
        var warmUp = BenchAudit.Argument(args, 3, 0);
        var directory = Directory.CreateTempSubdirectory("citadel-bench-index-cost-").FullName;
        try
        {
            var database = Path.Combine(directory, "citadel.db");
            var store = new SqliteStore(database, durableSync: false);
            await store.MigrateAsync(CancellationToken.None);
            if (Environment.GetEnvironmentVariable("CITADEL_BENCH_SQL") is { } sql)
            {
                // An experiment on the schema, e.g. CITADEL_BENCH_SQL="DROP INDEX audit_by_account_time": what one index costs.
                await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync();
            }

            var principal = new Principal(Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account);
            var keys = Enumerable.Range(0, keyCount).Select(_ => Arns.Key("us-east-1", Account, KeyId.New())).ToArray();
            var segment = Guid.NewGuid().ToString("N");
            using var frames = new FrameBuffer(batch * 2048);
            using var entry = new AuditEntry();
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var records = new List<AuditRecordUtf8>(batch);
            var hash = new byte[32];
            var hex = Encoding.ASCII.GetBytes(AuditChain.Genesis);
            var start = DateTimeOffset.UtcNow;
            long segmentOffset = 0;
            var cpu = TimeSpan.Zero;
            long written = 0;
            var wall = new Stopwatch();
            using var process = Process.GetCurrentProcess();
            for (var sequence = 1; sequence <= warmUp + events;)
            {
                frames.Clear();
                var measured = sequence > warmUp;
                for (var i = 0; i < batch && sequence <= warmUp + events && (measured || sequence <= warmUp); i++, sequence++)
                {
                    // About ten events a millisecond, each of a key at random.
                    BenchAudit.WriteEncryptFrame(frames, entry, principal, keys[Random.Shared.Next(keys.Length)], start.AddTicks(sequence * 1_000L), sequence, hash, hex, sha256);
                }

                records.Clear();
                AuditFrame.DecodeAll(frames.WrittenMemory, 0, records);
                for (var i = 0; i < records.Count; i++)
                {
                    // As the indexer does: the record's place in the journal segment, which the store keeps instead of its bytes.
                    var at = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records[i].Record, out var slice) ? slice.Offset : 0;
                    records[i] = records[i] with { Segment = segment, RecordOffset = segmentOffset + at };
                }

                segmentOffset += frames.Length;
                if (!measured)
                {
                    await store.AppendDerivedAsync(Chain, records, CancellationToken.None);
                    continue;
                }

                (var c, var w) = await MeasureAsync(process, wall, () => store.AppendDerivedAsync(Chain, records, CancellationToken.None));
                cpu += c;
                written += w;
            }

            (var syncCpu, var syncWritten) = await MeasureAsync(process, wall, () => store.SyncDerivedAsync(CancellationToken.None));
            cpu += syncCpu;
            written += syncWritten;
            var head = await store.GetChainHeadAsync(Chain, CancellationToken.None);
            if (head?.Sequence != warmUp + events)
            {
                throw new InvalidOperationException($"The trail's head is {head?.Sequence}, not {warmUp + events}.");
            }

            var size = new FileInfo(database).Length + (File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0);
            size = size * events / (warmUp + events);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audit-index-cost: {events} events after {warmUp} unmeasured, {keyCount} keys, batches of {batch}; {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"CPU {cpu.TotalMicroseconds / events:0.00} µs/event (calling thread {_threadCpu.TotalMicroseconds / events:0.00}); written {(double)written / events:0} bytes/event; database + WAL {(double)size / events:0} bytes/event; wall {wall.Elapsed.TotalMicroseconds / events:0.00} µs/event"));
            await store.DisposeAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(TimeSpan Cpu, long Written)> MeasureAsync(Process process, Stopwatch wall, Func<Task> call)
    {
        var thread = ThreadCpu();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var written = WrittenBytes();
        wall.Start();
        await call();
        wall.Stop();
        process.Refresh();
        _threadCpu += ThreadCpu() - thread;
        return (process.TotalProcessorTime - cpu, WrittenBytes() - written);
    }

    private static TimeSpan _threadCpu;

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int clock_gettime(int clock, out Timespec time);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static TimeSpan ThreadCpu()
    {
        if (clock_gettime(3, out var t) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromTicks((t.Seconds * TimeSpan.TicksPerSecond) + (t.Nanoseconds / 100));
    }

    /// <summary>The bytes this process has passed to write calls so far (/proc/self/io "wchar").</summary>
    private static long WrittenBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/io"))
        {
            if (line.StartsWith("wchar:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
