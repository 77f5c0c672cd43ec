using System.Globalization;
using Citadel.Server.Protocol;

namespace Citadel.Server.Tests.Fuzz;

/// <summary>
/// A short, deterministic fuzz run of every parser that takes outside bytes (fixed seed, fixed number
/// of executions, a few seconds each), and every input kept in Fuzz/corpus replayed. scripts/fuzz.sh
/// runs the same tests for longer with random seeds, through the environment: CITADEL_FUZZ_SECONDS
/// (run for this long instead of the fixed count), CITADEL_FUZZ_SEED, CITADEL_FUZZ_OUT (a directory
/// for the input being run, crash inputs and a summary line per target).
/// </summary>
public sealed class FuzzTests
{
    private const int ShortRunSeed = 20261203;

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Fuzzing_the_parser_finds_no_input_that_crashes_or_hangs_it(string name)
    {
        var target = FuzzTargets.Named(name);
        var seconds = Environment.GetEnvironmentVariable("CITADEL_FUZZ_SECONDS");
        var seed = Environment.GetEnvironmentVariable("CITADEL_FUZZ_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : ShortRunSeed;
        var output = Environment.GetEnvironmentVariable("CITADEL_FUZZ_OUT") is { Length: > 0 } o ? o : null;

        var result = seconds is { Length: > 0 }
            ? FuzzRunner.Run(target, seed, executions: null, TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture)), output)
            : FuzzRunner.Run(target, seed, target.ShortRunExecutions, duration: null, output);

        if (output is not null)
        {
            Report(output, result);
        }

        Assert.True(result.Finding is null, result.Finding?.ToString());
    }

    [Fact]
    public void Every_operation_the_endpoint_serves_has_its_request_binding_fuzzed()
    {
        var served = Operations.Kms.Select(o => o.Name).Order(StringComparer.Ordinal);

        var fuzzed = FuzzTargets.Bindings.Select(b => b.Name).Order(StringComparer.Ordinal);

        Assert.Equal(served, fuzzed);
    }

    [Fact]
    public async Task Every_operation_has_a_seed_body_in_the_json_corpus_that_binds_without_error()
    {
        var corpus = FuzzTargets.Named("json").CorpusFiles().ToDictionary(f => f.File, f => f.Input);

        foreach (var operation in FuzzTargets.Bindings)
        {
            var input = corpus[operation.Name + ".json"];
            var error = await operation.Invoke(FuzzTargets.Context(operation, input.AsMemory(1)));
            Assert.True(error is null, $"{operation.Name}: {error}");
        }
    }

    private static void Report(string output, FuzzResult result)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"{result.Target}\tseed {result.Seed}\t{result.Executions} executions\t{result.Elapsed.TotalSeconds:F1} s\t{(result.Finding is null ? "no finding" : "FINDING")}\n");
        File.AppendAllText(Path.Combine(output, "summary.txt"), line);
        if (result.Finding is { } finding)
        {
            var name = $"crash-{finding.Target}-{finding.Seed}-{finding.Execution}";
            File.WriteAllBytes(Path.Combine(output, name + ".bin"), finding.Input);
            File.WriteAllText(Path.Combine(output, name + ".txt"), finding.ToString());
        }
    }
}
