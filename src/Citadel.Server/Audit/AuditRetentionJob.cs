using Citadel.Server.Jobs;
using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>Removes audit events older than the retention period, hourly. Each chain keeps its newest record as the anchor.</summary>
internal sealed class AuditRetentionJob(IAuditStore store, AuditOptions options, TimeProvider wallClock, ILogger<AuditRetentionJob> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        JobLoop.RunAsync(nameof(AuditRetentionJob), RunOnceAsync, TimeSpan.FromHours(1), wallClock, logger, stoppingToken);

    public Task<int> RunOnceAsync(CancellationToken ct) =>
        store.DeleteOlderThanAsync(wallClock.GetUtcNow() - options.Retention, ct);
}
