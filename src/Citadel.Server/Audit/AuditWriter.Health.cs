using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Citadel.Server.Protocol;

namespace Citadel.Server.Audit;

/// <summary>The writer's health (for /health/ready), its metrics, and its failures, logged once rather than per request.</summary>
internal sealed partial class AuditWriter
{
    /// <summary>While events cannot be made durable, the failures are logged at most this often (they are counted in metrics all along).</summary>
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private static readonly Meter Meter = new("Citadel.Audit");
    private static readonly Counter<long> EventsWritten = Meter.CreateCounter<long>("citadel.audit.events", "{event}", "Audit events made durable in the journal.");
    private static readonly Counter<long> BatchesWritten = Meter.CreateCounter<long>("citadel.audit.batches", "{batch}", "Journal writes (group commits) made durable.");
    private static readonly Histogram<double> SyncDuration = Meter.CreateHistogram<double>("citadel.audit.sync.duration", "ms", "How long one journal sync (fdatasync) took.");
    private static readonly Counter<long> TrailRederived = Meter.CreateCounter<long>("citadel.audit.trail.rederived", "{event}", "Audit events derived into the queryable trail again: the database lost the trail's commits of them (it crashed or restarted).");
    private static readonly Counter<long> WritesFailed = Meter.CreateCounter<long>("citadel.audit.write.failures", "{event}", "Audit events that could not be made durable; their requests failed.");

    /// <summary>The running writers, for the journal-lag gauge (one per server; tests start several).</summary>
    private static readonly ConcurrentDictionary<AuditWriter, byte> Writers = new();

    private static readonly ObservableGauge<long> JournalLag = Meter.CreateObservableGauge(
        "citadel.audit.journal.lag",
        () => Writers.Keys.Sum(w => Math.Max(0, w.Durable - w.Indexed)),
        "{event}",
        "Events durable in the journal but not yet in the queryable trail.");

    private string? _unavailable;
    private readonly FailureReports _failureLogs = new(TimeProvider.System, FailureLogInterval);

    /// <summary>
    /// Null while events can be made durable; otherwise why not, in one line (e.g. "the audit journal
    /// could not be written: No space left on device"). Requests fail while it is set; the writer
    /// tries again with every request and clears it by itself when a write succeeds.
    /// </summary>
    public string? Unavailable => Volatile.Read(ref _unavailable);

    /// <summary>A batch made durable: counted, and the end of an outage logged.</summary>
    private void Written(int events, int batches, TimeSpan sync)
    {
        SyncDuration.Record(sync.TotalMilliseconds);
        Counted(events, batches);
    }

    /// <summary>Batches made durable (their sync timed apart): counted, and the end of an outage logged.</summary>
    private void Counted(int events, int batches)
    {
        EventsWritten.Add(events);
        BatchesWritten.Add(batches);
        if (Volatile.Read(ref _unavailable) is not null && Interlocked.Exchange(ref _unavailable, null) is not null)
        {
            _failureLogs.Reset();
            logger.AuditWritable();
        }
    }

    /// <summary>Fails the requests of a batch that could not be made durable; logs the first failure, then at most one a minute.</summary>
    private void WriteFailed(Exception exception, List<AuditEntry> entries)
    {
        WritesFailed.Add(entries.Count);
        var reason = $"the audit journal could not be written: {Reason(exception)}";
        Volatile.Write(ref _unavailable, reason);
        if (_failureLogs.ShouldReport(out _))
        {
            logger.AuditWriteFailed(exception, entries.Count);
        }

        var failure = new AuditUnavailableException($"The request's audit event could not be recorded, so the request was not carried out: {reason}", exception);
        foreach (var entry in entries)
        {
            entry.Failed(failure);
        }
    }

    /// <summary>The failure in one line: the operating system's words ("No space left on device : '/data/audit-journal/….tmp'").</summary>
    private static string Reason(Exception exception) => exception.Message.ReplaceLineEndings(" ");
}
