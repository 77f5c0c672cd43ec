using System.Diagnostics.Metrics;

namespace Citadel.Server.Observability;

/// <summary>
/// The server's instruments, on the meter "Citadel" (docs/monitoring.md lists each with its labels).
/// Static, as .NET's own meters are: an instrument with no listener costs one branch, and every host in
/// the process (tests run several) reports into the same series.
/// </summary>
internal static class CitadelMetrics
{
    public const string MeterName = "Citadel";

    /// <summary>Every meter whose name starts with this is exported (Citadel, Citadel.Audit, Citadel.Keys…).</summary>
    public const string MeterPrefix = "Citadel";

    public static readonly Meter Meter = new(MeterName, typeof(CitadelMetrics).Assembly.GetName().Version?.ToString(3));

    /// <summary>KMS and CloudTrail API requests answered, by operation and error code (no error label on success).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "citadel.requests", unit: "{request}", description: "API requests answered, by operation and error code (no error label on success).");

    /// <summary>
    /// Request duration from the first byte handled to the response written, by operation and error code.
    /// Buckets from 0.25 ms: Encrypt answers in well under a millisecond, a durable audit write adds a disk sync.
    /// </summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram(
        "citadel.request.duration",
        unit: "s",
        description: "Time to answer an API request, by operation and error code.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>Requests refused by authorization (AccessDeniedException), by operation.</summary>
    public static readonly Counter<long> AuthorizationDenials = Meter.CreateCounter<long>(
        "citadel.authorization.denials", unit: "{request}", description: "Requests refused with AccessDeniedException, by operation.");

    /// <summary>Lookups in the server's caches, by cache and result (hit or miss).</summary>
    public static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>(
        "citadel.cache.lookups", unit: "{lookup}", description: "Cache lookups, by cache (key, alias, material, policy) and result (hit, miss).");

    /// <summary>Runs of background jobs, by job and result (ok, failed).</summary>
    public static readonly Counter<long> JobRuns = Meter.CreateCounter<long>(
        "citadel.job.runs", unit: "{run}", description: "Runs of background jobs, by job and result (ok, failed).");

    /// <summary>Items background jobs acted on (keys rotated or deleted, material expired, events removed), by job.</summary>
    public static readonly Counter<long> JobItems = Meter.CreateCounter<long>(
        "citadel.job.items", unit: "{item}", description: "What background jobs acted on (keys rotated or deleted, material expired, events removed), by job.");
}
