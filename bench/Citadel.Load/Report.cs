using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Serialization;

namespace Citadel.Load;

internal sealed record OperationReport(
    string Operation,
    int DistinctRequests,
    long Requests,
    double RequestsPerSecond,
    double RatioToPing,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    long Errors,
    string? FirstError,
    double ServerCpuCores,
    double WrkCpuCores,
    double OtherCpuCores,
    long ServerWrittenBytes = 0)
{
    /// <summary>Bytes the server caused to be written to storage per request (the audit journal, the database): the disk's share of the audit's cost.</summary>
    public double? ServerWrittenBytesPerRequest => Requests > 0 ? (double)ServerWrittenBytes / Requests : null;

    /// <summary>
    /// Server CPU time (user + system) per request served, in microseconds: the audit's cost to compare
    /// on a shared machine, where throughput follows whatever else runs (null without the server's pid).
    /// </summary>
    public double? ServerCpuMicrosecondsPerRequest => ServerCpuCores > 0 && RequestsPerSecond > 0 ? ServerCpuCores / RequestsPerSecond * 1e6 : null;
}

internal sealed record MachineReport(string Cpu, int Cores, string Os, string Runtime);

internal sealed record LoadReport(
    string Date,
    MachineReport Machine,
    string Target,
    bool? Audit,
    int Keys,
    int AsymmetricKeys,
    int Connections,
    int Threads,
    int DurationSeconds,
    double? TimeToFirstAnswerMs,
    double SetupCreateKeyPerSecond,
    double? ServerRssMb,
    double? ServerPeakRssMb,
    double PingRequestsPerSecond,
    IReadOnlyList<OperationReport> Operations,
    bool Failed,
    string? LoadAverageAfter);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LoadReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

internal static class ReportFormat
{
    public static MachineReport Machine()
    {
        var cpu = "unknown";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        return new MachineReport(cpu, Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }

    public static string Table(LoadReport report)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"| Operation | req/s | vs ping | p50 ms | p90 ms | p99 ms | max ms | errors | CPU server/wrk/other | server CPU µs/req | server disk B/req |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var o in report.Operations)
        {
            text.AppendLine(c, $"| {o.Operation} | {o.RequestsPerSecond:F0} | {o.RatioToPing * 100:F0}% | {o.P50Ms:F2} | {o.P90Ms:F2} | {o.P99Ms:F2} | {o.MaxMs:F1} | {o.Errors} | {o.ServerCpuCores:F1}/{o.WrkCpuCores:F1}/{o.OtherCpuCores:F1} | {o.ServerCpuMicrosecondsPerRequest:F1} | {o.ServerWrittenBytesPerRequest:F0} |");
        }

        return text.ToString();
    }
}
