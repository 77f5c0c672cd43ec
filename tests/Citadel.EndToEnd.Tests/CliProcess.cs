using System.Diagnostics;

namespace Citadel.EndToEnd.Tests;

/// <summary>A `citadel …` command run to its end as a separate process: its exit code and what it printed.</summary>
public sealed record CliProcess(int ExitCode, string Output, string Error)
{
    /// <summary>The lines written to standard error, without empty ones.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs `citadel <paramref name="arguments"/>`; a command still running after 60 seconds is killed and fails the test.</summary>
    public static async Task<CliProcess> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "citadel.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"citadel {string.Join(' ', arguments)} was still running after 60 seconds: {await output} {await error}");
        }

        return new CliProcess(process.ExitCode, await output, await error);
    }

    public static Task<CliProcess> RunAsync(params string[] arguments) => RunAsync(null, arguments);
}
