using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Citadel.Load;

// Load benchmark: dotnet run -c Release --project bench/Citadel.Load -- [options]; --help for the options.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"citadel-load: {exception.Message}\n\n{LoadOptions.Usage}");
    return 2;
}

using var cancel = new CancellationTokenSource();
ServerUnderTest? server = null;
var workDirectory = Directory.CreateTempSubdirectory("citadel-load-work-").FullName;
void CleanUp()
{
    server?.Dispose();
    ServerUnderTest.DeleteDirectory(workDirectory);
}

// Ctrl-C and SIGTERM cancel the run; the finally below then stops wrk and the server and deletes the temp directories.
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
AppDomain.CurrentDomain.ProcessExit += (_, _) => CleanUp();

try
{
    return await new LoadRun(options, Console.Out).RunAsync(workDirectory, s => server = s, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("citadel-load: cancelled.");
    return 130;
}
catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or SocketException or IOException or Amazon.Runtime.AmazonServiceException or HttpRequestException)
{
    Console.Error.WriteLine($"citadel-load: {exception.Message}");
    if (server is not null && !string.IsNullOrEmpty(server.Output))
    {
        Console.Error.WriteLine($"Server output:\n{server.Output}");
    }

    return 1;
}
finally
{
    CleanUp();
}

namespace Citadel.Load
{
    /// <summary>One run: start (or target) the server, create keys, measure each operation, report.</summary>
    internal sealed class LoadRun(LoadOptions options, TextWriter log)
    {
        public async Task<int> RunAsync(string workDirectory, Action<ServerUnderTest> started, CancellationToken ct)
        {
            WrkRunner.EnsureInstalled(log);
            var machine = ReportFormat.Machine();
            log.WriteLine($"Machine: {machine.Cpu}, {machine.Cores} cores, {machine.Os}, {machine.Runtime}");

            ServerUnderTest? server = null;
            string endpoint;
            if (options.Target is null)
            {
                server = await ServerUnderTest.StartAsync(options.Audit, options.Durability, ct);
                started(server);
                endpoint = server.Endpoint;
                log.WriteLine($"citadel serve --dev{(options.Audit ? "" : " --no-audit")} at {endpoint} answered its first request {server.TimeToFirstAnswer.TotalMilliseconds:F0} ms after start (pid {server.ProcessId}, data in {server.DataDirectory})");
            }
            else
            {
                endpoint = options.Target;
                log.WriteLine($"Target: {endpoint}");
            }

            log.WriteLine($"Creating keys ({options.Keys} symmetric) ...");
            using var kms = KeySetup.Client(endpoint, options);
            var selected = Selected();
            var keys = await KeySetup.CreateAsync(kms, options, selected.Contains("Decrypt") || selected.Contains("ReEncrypt"), log, ct);
            var host = new Uri(endpoint).Authority;
            var signer = new RequestSigner(host, options.AccessKeyId, options.SecretAccessKey, options.Region);
            var wrk = new WrkRunner(workDirectory, options);
            var scenarios = Scenario.All(keys, KeySetup.Policy(options.Account)).Where(s => selected.Contains(s.Name)).ToList();

            log.WriteLine($"Load: wrk, {options.Connections} connections, {options.Threads} threads, {options.WarmupSeconds} s warm-up + {options.DurationSeconds} s per operation");
            var measured = new List<(Scenario Scenario, WrkResult Result, string? FirstError)>();
            var pingBefore = await MeasureAsync(Scenario.Ping(), "Ping (first)");
            foreach (var scenario in scenarios)
            {
                measured.Add(await MeasureAsync(scenario, scenario.Name));
            }

            var pingAfter = await MeasureAsync(Scenario.Ping(), "Ping (last)");
            var ping = (pingBefore.Result.RequestsPerSecond + pingAfter.Result.RequestsPerSecond) / 2;

            var memory = server?.Memory();
            var operations = new List<OperationReport> { ToReport(pingBefore, "Ping (first)"), ToReport(pingAfter, "Ping (last)") };
            operations.InsertRange(1, measured.Select(m => ToReport(m, m.Scenario.Name)));
            var failed = operations.Any(o => o.Errors > 0) || server is { HasExited: true };
            var disturbed = operations.Max(o => o.OtherCpuCores);
            var report = new LoadReport(
                DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                machine,
                options.Target ?? "citadel serve --dev",
                options.Target is null ? options.Audit : null,
                options.Keys,
                keys.Hmac.Length,
                options.Connections,
                options.Threads,
                options.DurationSeconds,
                server?.TimeToFirstAnswer.TotalMilliseconds,
                keys.CreateKeyPerSecond,
                memory?.Rss / 1048576.0,
                memory?.PeakRss / 1048576.0,
                ping,
                operations,
                failed,
                File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null);

            log.WriteLine();
            log.WriteLine($"Reference (GET /_citadel/ping, mean of first and last): {ping:F0} req/s");
            if (report.TimeToFirstAnswerMs is { } first)
            {
                log.WriteLine($"First answer after start: {first:F0} ms; CreateKey through the SDK in setup: {keys.CreateKeyPerSecond:F0}/s");
            }

            if (memory is { } m)
            {
                log.WriteLine($"Server memory after the run: RSS {m.Rss / 1048576.0:F0} MB (peak {m.PeakRss / 1048576.0:F0} MB)");
            }

            log.WriteLine();
            log.Write(ReportFormat.Table(report));
            var jsonPath = options.JsonPath ?? DefaultJsonPath();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, ReportJsonContext.Default.LoadReport), ct);
            log.WriteLine($"\nJSON: {jsonPath}");
            if (disturbed > 0.25)
            {
                log.WriteLine($"WARNING: other processes used up to {disturbed:F2} cores during the run (column 'other CPU'); the machine was not quiet, so the figures are noisy.");
            }

            if (failed)
            {
                log.WriteLine("FAILED: errors during the run (see the errors column); the figures are not valid.");
                return 1;
            }

            return 0;

            async Task<(Scenario Scenario, WrkResult Result, string? FirstError)> MeasureAsync(Scenario scenario, string label)
            {
                // Signed just before use: the signatures must stay within the server's 5-minute skew.
                var requests = wrk.WriteRequests(scenario, signer, out var firstRequest);
                if (options.WarmupSeconds > 0)
                {
                    await wrk.RunAsync(endpoint, requests, options.WarmupSeconds, server?.ProcessId, ct);
                }

                var result = await wrk.RunAsync(endpoint, requests, options.DurationSeconds, server?.ProcessId, ct);
                string? firstError = null;
                if (result.Errors > 0)
                {
                    firstError = await ReplayAsync(host, firstRequest, ct);
                }

                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {label,-16} {result.RequestsPerSecond,9:F0} req/s  p50 {result.P50 / 1000,6:F2} ms  p99 {result.P99 / 1000,6:F2} ms  errors {result.Errors}  CPU server {result.ServerCores:F2} wrk {result.WrkCores:F2} other {result.OtherCores:F2}{(firstError is null ? "" : $"  ({firstError})")}"));
                return (scenario, result, firstError);
            }

            OperationReport ToReport((Scenario Scenario, WrkResult Result, string? FirstError) m, string label) => new(
                label,
                m.Scenario.Count,
                m.Result.Requests,
                m.Result.RequestsPerSecond,
                m.Result.RequestsPerSecond / ping,
                m.Result.P50 / 1000,
                m.Result.P90 / 1000,
                m.Result.P99 / 1000,
                m.Result.Max / 1000,
                m.Result.Errors,
                m.FirstError,
                m.Result.ServerCores,
                m.Result.WrkCores,
                m.Result.OtherCores,
                m.Result.ServerWrittenBytes);
        }

        private HashSet<string> Selected()
        {
            var all = new[] { "Encrypt", "Decrypt", "GenerateDataKey", "ReEncrypt", "GenerateMac", "Sign", "Verify", "DescribeKey", "CreateKey" };
            if (options.Operations is null)
            {
                return [.. all];
            }

            var unknown = options.Operations.Except(all, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException($"Unknown operation(s) in --ops: {string.Join(", ", unknown)}. Known: {string.Join(", ", all)}.");
            }

            return [.. options.Operations];
        }

        private string DefaultJsonPath()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Citadel.sln")))
            {
                directory = directory.Parent;
            }

            var root = directory?.FullName ?? Directory.GetCurrentDirectory();
            var stamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture);
            var audit = options.Target is null ? (options.Audit ? "-audit-on" : "-audit-off") : "-target";
            return Path.Combine(root, "bench", "results", $"{stamp}{audit}-keys-{options.Keys}.json");
        }

        /// <summary>Sends one request on its own connection and returns the status line and the start of the body.</summary>
        private static async Task<string> ReplayAsync(string host, byte[] request, CancellationToken ct)
        {
            try
            {
                var parts = host.Split(':');
                using var client = new TcpClient();
                await client.ConnectAsync(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), ct);
                var stream = client.GetStream();
                await stream.WriteAsync(request, ct);
                var buffer = new byte[4096];
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                var read = await stream.ReadAsync(buffer, timeout.Token);
                var text = Encoding.UTF8.GetString(buffer, 0, read);
                var status = text.Split("\r\n")[0];
                var body = text.Contains("\r\n\r\n", StringComparison.Ordinal) ? text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..] : "";
                return $"{status} {body}".Trim();
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
            {
                return $"replay failed: {exception.Message}";
            }
        }
    }
}
