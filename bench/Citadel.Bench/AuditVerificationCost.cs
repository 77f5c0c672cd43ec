using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Audit;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Citadel.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Bench;

/// <summary>
/// The CPU one round of the audit verification job costs on a SQLite trail of Encrypt events (about 1 KB each, as the
/// writer makes them): a full walk (a job's first round) against a round that continues from the anchor the previous
/// round left, with a number of new events (issue 17):
/// dotnet run -c Release --project bench/Citadel.Bench -- audit-verify-cost [events] [new events] [repeats]
/// Process CPU time is measured around each round (so other processes on the machine count for little); wall time too.
/// </summary>
internal static class AuditVerificationCost
{
    private const string Account = "111122223333";
    private const string Chain = "local";

    public static async Task RunAsync(string[] args)
    {
        var events = BenchAudit.Argument(args, 0, 100_000);
        var added = BenchAudit.Argument(args, 1, 1_000);
        var repeats = BenchAudit.Argument(args, 2, 5);
        var directory = Directory.CreateTempSubdirectory("citadel-bench-verify-").FullName;
        try
        {
            var store = new SqliteStore(Path.Combine(directory, "citadel.db"), durableSync: false);
            await store.MigrateAsync(CancellationToken.None);
            await FillAsync(store, events + added);
            var before = await store.GetChainHeadAsync(Chain, CancellationToken.None);
            var anchorHash = await store.ReadChainAsync(Chain, events, CancellationToken.None).Select(r => r.Hash).FirstAsync();
            Console.WriteLine($"SQLite trail of {before!.Sequence} events in one chain; {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

            var full = new List<(TimeSpan Cpu, TimeSpan Wall)>();
            var incremental = new List<(TimeSpan Cpu, TimeSpan Wall)>();
            for (var i = 0; i < repeats; i++)
            {
                // A job's first round: every record.
                using (var job = Job(store))
                {
                    full.Add(await MeasureAsync(() => job.RunOnceAsync(CancellationToken.None)));
                }

                // A round after one that ended at event `events`: the anchor record and the `added` after it.
                var view = new UpTo(store, new AuditChainHead(Chain, events, anchorHash, 1));
                using (var job = Job(view))
                {
                    await job.RunOnceAsync(CancellationToken.None);
                    view.Head = before;
                    incremental.Add(await MeasureAsync(() => job.RunOnceAsync(CancellationToken.None)));
                }

                var verification = await store.GetVerificationAsync(CancellationToken.None);
                if (verification is not { Intact: true } || verification.Chains[0].Records != events + added)
                {
                    var chain = verification?.Chains[0];
                    throw new InvalidOperationException($"The round did not verify the trail intact with every record: {chain?.Records} records, {string.Join("; ", chain?.Problems ?? [])}");
                }
            }

            Report($"full walk ({events + added} events)", full);
            Report($"incremental round ({added} new events)", incremental);
            await store.DisposeAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static AuditVerificationJob Job(IAuditStore trail) =>
        new(trail, new AuditOptions(), SingleNode.Instance, TimeProvider.System, NullLogger<AuditVerificationJob>.Instance);

    private static async Task<(TimeSpan Cpu, TimeSpan Wall)> MeasureAsync(Func<Task<int>> round)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await round();
        process.Refresh();
        return (process.TotalProcessorTime - cpu, wall.Elapsed);
    }

    private static void Report(string what, List<(TimeSpan Cpu, TimeSpan Wall)> runs)
    {
        var cpu = runs.Select(r => r.Cpu.TotalMilliseconds).Order().ToList();
        var wall = runs.Select(r => r.Wall.TotalMilliseconds).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-40} CPU median {cpu[cpu.Count / 2],8:0.0} ms (min {cpu[0]:0.0}, max {cpu[^1]:0.0}); wall median {wall[wall.Count / 2],8:0.0} ms ({runs.Count} rounds)"));
    }

    /// <summary>Appends <paramref name="count"/> chained Encrypt events over 100 keys, through journal frames as the writer makes them.</summary>
    private static async Task FillAsync(IAuditStore store, int count)
    {
        var principal = new Principal(Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account);
        var keys = Enumerable.Range(0, 100).Select(_ => Arns.Key("us-east-1", Account, KeyId.New())).ToArray();
        using var frames = new FrameBuffer(1_000 * 1536);
        using var entry = new AuditEntry();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var records = new List<AuditRecordUtf8>();
        var hash = new byte[32];
        var hex = Encoding.ASCII.GetBytes(AuditChain.Genesis);
        for (var sequence = 1; sequence <= count;)
        {
            frames.Clear();
            for (var i = 0; i < 1_000 && sequence <= count; i++, sequence++)
            {
                // As the server makes them: the version-7 event id from the event time (the verifier checks the milliseconds).
                BenchAudit.WriteEncryptFrame(frames, entry, principal, keys[sequence % keys.Length], DateTimeOffset.UtcNow, sequence, hash, hex, sha256);
            }

            records.Clear();
            AuditFrame.DecodeAll(frames.WrittenMemory, 0, records);
            await store.AppendAsync(Chain, records, CancellationToken.None);
        }
    }

    /// <summary>The trail as it was when its head was <see cref="Head"/>: no record after it is listed or read.</summary>
    private sealed class UpTo(IAuditStore store, AuditChainHead head) : IAuditStore
    {
        public AuditChainHead Head { get; set; } = head;

        public Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct) => Task.FromResult<AuditChainHead?>(Head);

        public Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<AuditChainHead>>([Head]);

        public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) => throw new NotSupportedException();

        public IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, CancellationToken ct) =>
            store.ReadChainAsync(chainId, fromSequence, ct).TakeWhile(r => r.Sequence <= Head.Sequence);

        public Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct) => throw new NotSupportedException();

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => throw new NotSupportedException();

        public Task SaveVerificationAsync(AuditVerification verification, CancellationToken ct) => store.SaveVerificationAsync(verification, ct);

        public Task<AuditVerification?> GetVerificationAsync(CancellationToken ct) => store.GetVerificationAsync(ct);
    }
}
