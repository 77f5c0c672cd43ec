using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Jobs;

/// <summary>
/// Rotates keys whose automatic rotation is due. Runs at start, so a server that was down when a
/// rotation was due does it then; each rotation is one transaction.
/// </summary>
internal sealed class KeyRotationJob(KmsRuntime kms, IJobLock jobLock, AuditWriter audit, TimeProvider wallClock, ILogger<KeyRotationJob> logger) : BackgroundService
{
    // The loop and the development clock endpoint both run rounds. One at a time: otherwise both list the same
    // key as due, the second's update finds it already rotated, and it records a second RotateKey event.
    private readonly SemaphoreSlim _round = new(1, 1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        JobLoop.RunAsync(nameof(KeyRotationJob), RunOnceAsync, kms.Options.JobInterval, logger, stoppingToken);

    public Task<int> RunOnceAsync(CancellationToken ct) => RunOnceAsync(beforeRound: null, ct);

    /// <summary>
    /// A round, with <paramref name="beforeRound"/> run first inside it. The development clock's
    /// endpoint advances the clock there: a loop round already under way then finishes on the old
    /// time, and cannot rotate a key the advance made due before the endpoint's round counts it.
    /// </summary>
    public async Task<int> RunOnceAsync(Action? beforeRound, CancellationToken ct)
    {
        await _round.WaitAsync(ct);
        try
        {
            beforeRound?.Invoke();
            return await RunRoundAsync(ct);
        }
        finally
        {
            _round.Release();
        }
    }

    public override void Dispose()
    {
        _round.Dispose();
        base.Dispose();
    }

    private async Task<int> RunRoundAsync(CancellationToken ct)
    {
        if (!await jobLock.TryHoldAsync(ct))
        {
            return 0;
        }

        var rotated = 0;
        while (true)
        {
            var due = await kms.Store.ListKeysDueForRotationAsync(kms.Time.GetUtcNow(), 100, ct);
            var rotatedThisRound = 0;
            foreach (var key in due)
            {
                var result = await KeyRotator.RotateAsync(kms, key, automatic: true, ct);
                if (result.IsSuccess && result.Value.CurrentMaterialVersion > key.CurrentMaterialVersion)
                {
                    logger.KeyRotated(result.Value.Arn, result.Value.CurrentMaterialVersion);
                    await audit.RecordAsync(ServiceEvents.For("RotateKey", result.Value, wallClock.GetUtcNow()));
                    rotated++;
                    rotatedThisRound++;
                }
            }

            if (rotatedThisRound == 0)
            {
                return rotated;
            }
        }
    }
}
