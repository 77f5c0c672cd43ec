using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Citadel.Load;

/// <summary>The figures wrk reports for one operation (latencies in microseconds).</summary>
internal sealed record WrkResult(
    long Requests,
    double DurationSeconds,
    double RequestsPerSecond,
    double P50,
    double P90,
    double P99,
    double Max,
    double Mean,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long StatusErrors,
    long Timeouts)
{
    public long Errors => ConnectErrors + ReadErrors + WriteErrors + StatusErrors + Timeouts;

    /// <summary>CPU used while wrk ran, in cores: the server, wrk, and everything else on the machine.</summary>
    public double ServerCores { get; init; }

    public double WrkCores { get; init; }

    public double OtherCores { get; init; }

    /// <summary>Bytes the server caused to be written to storage while wrk ran (0 without its pid).</summary>
    public long ServerWrittenBytes { get; init; }
}

/// <summary>
/// Runs wrk with a Lua script that cycles through pre-built request bytes (read from a file at
/// start, one table per wrk thread, each thread starting at a different offset). The script's
/// done() prints the summary as one JSON line, so nothing depends on wrk's human-readable output.
/// wrk counts HTTP statuses above 399 as errors.status; any error flags the run.
/// </summary>
internal sealed class WrkRunner(string workDirectory, LoadOptions options)
{
    private const string Marker = "CITADEL-RESULT ";

    public static void EnsureInstalled(TextWriter log)
    {
        if (Which("wrk") is not null)
        {
            return;
        }

        if (Environment.UserName != "root" || Which("apt-get") is null)
        {
            throw new InvalidOperationException("wrk is not installed: run `sudo apt-get install -y wrk` (Debian/Ubuntu).");
        }

        log.WriteLine("Installing wrk (apt-get update && apt-get install -y wrk) ...");
        Run("apt-get", "update", "-qq");
        Run("apt-get", "install", "-y", "-qq", "wrk");

        static void Run(string file, params string[] args)
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
            }
        }
    }

    /// <summary>Writes the requests of a scenario, signed now, to a file wrk's script reads.</summary>
    public string WriteRequests(Scenario scenario, RequestSigner signer, out byte[] first)
    {
        var path = Path.Combine(workDirectory, $"{scenario.Name}.requests");
        var now = DateTimeOffset.UtcNow;
        first = [];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        for (var i = 0; i < scenario.Count; i++)
        {
            var request = scenario.Build(signer, now, i);
            if (i == 0)
            {
                first = request;
            }

            file.Write(System.Text.Encoding.ASCII.GetBytes(request.Length.ToString(CultureInfo.InvariantCulture) + "\n"));
            file.Write(request);
        }

        return path;
    }

    public async Task<WrkResult> RunAsync(string endpoint, string requestsPath, int seconds, int? serverPid, CancellationToken ct)
    {
        var script = Path.Combine(workDirectory, Path.GetFileNameWithoutExtension(requestsPath) + ".lua");
        await File.WriteAllTextAsync(script, Script(requestsPath), ct);
        var start = new ProcessStartInfo("wrk")
        {
            ArgumentList =
            {
                "-t", options.Threads.ToString(CultureInfo.InvariantCulture),
                "-c", options.Connections.ToString(CultureInfo.InvariantCulture),
                "-d", $"{seconds}s",
                "--timeout", "5s",
                "--latency",
                "-s", script,
                endpoint + "/",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var clock = Stopwatch.StartNew();
        var machineBefore = CpuUsage.MachineBusy();
        var serverBefore = serverPid is { } pid ? CpuUsage.Process(pid) ?? 0 : 0;
        var writtenBefore = serverPid is { } writer ? CpuUsage.WrittenBytes(writer) ?? 0 : 0;
        var selfBefore = CpuUsage.Process(Environment.ProcessId) ?? 0;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk could not be started.");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);

            // wrk's own CPU time: sampled until it exits (its /proc entry goes with it), so at most
            // one sampling interval is missed.
            long wrkTicks = 0;
            var exited = process.WaitForExitAsync(ct);
            while (!exited.IsCompleted)
            {
                wrkTicks = CpuUsage.Process(process.Id) ?? wrkTicks;
                await Task.WhenAny(exited, Task.Delay(100, ct));
            }

            await exited;
            var elapsed = clock.Elapsed.TotalSeconds * CpuUsage.TicksPerSecond;
            var machine = CpuUsage.MachineBusy() - machineBefore;
            var server = serverPid is { } id ? (CpuUsage.Process(id) ?? serverBefore) - serverBefore : 0;
            var written = serverPid is { } wrote ? (CpuUsage.WrittenBytes(wrote) ?? writtenBefore) - writtenBefore : 0;
            var self = (CpuUsage.Process(Environment.ProcessId) ?? selfBefore) - selfBefore;
            var output = await stdout;
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                throw new InvalidOperationException($"wrk failed ({process.ExitCode}):\n{output}\n{await stderr}");
            }

            return Parse(line[Marker.Length..]) with
            {
                ServerCores = server / elapsed,
                WrkCores = wrkTicks / elapsed,
                OtherCores = Math.Max(0, machine - server - wrkTicks - self) / elapsed,
                ServerWrittenBytes = written,
            };
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    private static WrkResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        double D(string name) => root.GetProperty(name).GetDouble();
        long L(string name) => (long)root.GetProperty(name).GetDouble();
        var seconds = D("duration_us") / 1e6;
        return new WrkResult(
            L("requests"), seconds, L("requests") / seconds,
            D("p50"), D("p90"), D("p99"), D("max"), D("mean"),
            L("connect"), L("read"), L("write"), L("status"), L("timeout"));
    }

    private static string Script(string requestsPath) => $$"""
        -- Generated by bench/Citadel.Load: cycles through pre-signed requests.
        local threads = 0
        function setup(thread)
          thread:set("thread_index", threads)
          threads = threads + 1
        end

        local requests = {}
        local count = 0
        local index = 0

        function init(args)
          local file = assert(io.open([==[{{requestsPath}}]==], "rb"))
          local data = file:read("*a")
          file:close()
          local position = 1
          while position <= #data do
            local newline = string.find(data, "\n", position, true)
            local length = tonumber(string.sub(data, position, newline - 1))
            count = count + 1
            requests[count] = string.sub(data, newline + 1, newline + length)
            position = newline + 1 + length
          end
          index = ((thread_index or 0) * 7919) % count
        end

        function request()
          index = index + 1
          if index > count then index = 1 end
          return requests[index]
        end

        function done(summary, latency, requests)
          local e = summary.errors
          io.write(string.format(
            '{{Marker}}{"requests":%d,"duration_us":%d,"p50":%.1f,"p90":%.1f,"p99":%.1f,"max":%.1f,"mean":%.1f,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
            summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
            latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
        end
        """;

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
