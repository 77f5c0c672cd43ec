using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Seal;

/// <summary>
/// How a running server learns of a root key rotation: once a second it reads the rotation the store
/// records (one row) and, when one names a new root key, opens it, proves it against the rotation's
/// check value and seals under it from then on (<see cref="SealRing"/>). `citadel rekey` waits
/// <see cref="Grace"/> after recording the rotation before it re-wraps, so it re-wraps what servers sealed
/// in the meantime, and checks every secret again before it finishes.
/// </summary>
internal sealed class RootKeyWatcher(IStore store, SealRing ring, Pkcs11SealOptions? pkcs11, TimeProvider time, ILogger<RootKeyWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>How long `citadel rekey` gives running servers to switch: three of their reads.</summary>
    public static readonly TimeSpan Grace = Interval * 3;

    private string? _unavailable;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The store is down: the endpoints say so; try again next time.
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Switches the ring to the rotation's new root key when there is one it does not use yet.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        var rotation = await store.GetRootKeyRotationAsync(ct);
        if (rotation is null || rotation.Target == ring.Target)
        {
            return;
        }

        var next = RekeyTarget.TryOpen(rotation.Target, pkcs11);
        if (next is null || !RootKeyCheck.Proves(next, rotation.TargetCheck))
        {
            (next as IDisposable)?.Dispose();
            if (_unavailable != rotation.Target)
            {
                _unavailable = rotation.Target;
                if (logger.IsEnabled(LogLevel.Error))
                {
                    logger.RotationTargetUnavailable(RekeyTarget.Describe(rotation.Target));
                }
            }

            return;
        }

        ring.Rotate(next, rotation.Target);
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.SealingUnderNewRootKey(RekeyTarget.Describe(rotation.Target));
        }
    }
}
