using Citadel.Server.Jobs;
using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>
/// Removes audit events older than the retention period, hourly. Each chain keeps its newest record as the anchor.
/// Journal segments (<see cref="JournalSegments"/>) last written before the cutoff hold only events older than it, which
/// the store no longer refers to (an anchor's record is moved into its row first), so they are deleted too.
/// </summary>
internal sealed class AuditRetentionJob(IAuditStore store, AuditOptions options, TimeProvider wallClock, ILogger<AuditRetentionJob> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        JobLoop.RunAsync(nameof(AuditRetentionJob), RunOnceAsync, TimeSpan.FromHours(1), wallClock, logger, stoppingToken);

    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var cutoff = wallClock.GetUtcNow() - options.Retention;
        var deleted = await store.DeleteOlderThanAsync(cutoff, ct);
        if (options.JournalDirectory is { } journals && JournalSegments.DirectoryFor(store, journals) is { } segments && Directory.Exists(segments))
        {
            // A segment's last write is after the time of every event in it (events are timed before they are written).
            foreach (var segment in new DirectoryInfo(segments).EnumerateFiles())
            {
                if (segment.LastWriteTimeUtc < cutoff.UtcDateTime)
                {
                    segment.Delete();
                }
            }
        }

        return deleted;
    }
}
