using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Citadel.Server.Tests.Fuzz;

/// <summary>What a fuzz run found: the input, the seed and execution that made it, and what happened.</summary>
internal sealed record FuzzFinding(string Target, int Seed, long Execution, byte[] Input, string What)
{
    public override string ToString()
    {
        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"{Target}: {What}\n");
        report.Append(CultureInfo.InvariantCulture, $"seed {Seed}, execution {Execution}, input {Input.Length} bytes\n");
        report.Append(CultureInfo.InvariantCulture, $"base64: {(Input.Length <= 65536 ? Convert.ToBase64String(Input) : "(too long; see the crash file)")}\n");
        report.Append(CultureInfo.InvariantCulture, $"hex: {Convert.ToHexStringLower(Input.AsSpan(0, Math.Min(Input.Length, 4096)))}{(Input.Length > 4096 ? "…" : "")}\n");
        return report.ToString();
    }
}

/// <summary>The outcome of a run: how many inputs were fed, for how long, and the first finding, if any.</summary>
internal sealed record FuzzResult(string Target, int Seed, long Executions, TimeSpan Elapsed, FuzzFinding? Finding);

/// <summary>
/// Feeds a target its corpus, then mutations of it, on a thread of its own, and stops at the first
/// finding: an exception that escapes the target, an input that runs longer than the hang limit, or
/// one that allocates more than the memory limit. A stack overflow ends the process; when a state
/// directory is given, the input being run is always in &lt;target&gt;.current there, so scripts/fuzz.sh
/// can show it.
/// </summary>
internal static class FuzzRunner
{
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);
    public const long MemoryLimit = 256L << 20;

    public static FuzzResult Run(FuzzTarget target, int seed, long? executions, TimeSpan? duration, string? stateDirectory = null)
    {
        var worker = new Worker(target, seed, executions, duration, stateDirectory);
        var thread = new Thread(worker.Loop) { IsBackground = true, Name = $"fuzz {target.Name}" };
        var clock = Stopwatch.StartNew();
        thread.Start();
        long lastSeen = -1;
        while (!thread.Join(HangLimit))
        {
            var done = Interlocked.Read(ref worker.Completed);
            if (done == lastSeen)
            {
                // The thread keeps running what hangs; it is a background thread and dies with the process.
                var input = worker.Current;
                return new FuzzResult(target.Name, seed, done, clock.Elapsed, new FuzzFinding(target.Name, seed, done, input, $"hang: no result after {HangLimit.TotalSeconds} s"));
            }

            lastSeen = done;
        }

        return new FuzzResult(target.Name, seed, worker.Completed, clock.Elapsed, worker.Finding);
    }

    private sealed class Worker(FuzzTarget target, int seed, long? executions, TimeSpan? duration, string? stateDirectory)
    {
        public long Completed;

        public volatile byte[] Current = [];

        public FuzzFinding? Finding;

        public void Loop()
        {
            using var state = stateDirectory is null ? null : File.OpenHandle(Path.Combine(stateDirectory, $"{target.Name}.current"), FileMode.Create, FileAccess.Write);
            var corpus = target.Corpus();
            foreach (var input in corpus)
            {
                if (!Execute(input, state))
                {
                    return;
                }
            }

            var mutator = new Mutator(new Random(seed), corpus, target.Tokens ?? []);
            var clock = Stopwatch.StartNew();
            while ((executions is null || Completed < executions) && (duration is null || clock.Elapsed < duration))
            {
                if (!Execute(mutator.Next(), state))
                {
                    return;
                }
            }
        }

        private bool Execute(byte[] input, Microsoft.Win32.SafeHandles.SafeFileHandle? state)
        {
            Current = input;
            if (state is not null)
            {
                RandomAccess.SetLength(state, 0);
                RandomAccess.Write(state, input, 0);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                target.Run(input);
            }
            catch (Exception exception)
            {
                Finding = new FuzzFinding(target.Name, seed, Completed, input, $"{exception.GetType().FullName}: {exception.Message}\n{exception.StackTrace}");
                return false;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            if (allocated > MemoryLimit)
            {
                Finding = new FuzzFinding(target.Name, seed, Completed, input, $"allocated {allocated} bytes for one input (limit {MemoryLimit})");
                return false;
            }

            Interlocked.Increment(ref Completed);
            return true;
        }
    }
}
