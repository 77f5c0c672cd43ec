using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Server.Audit;
using Citadel.Server.Seal;
using Citadel.Storage;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Observability;

/// <summary>
/// Whether this node can serve: the store answers, the seal holds the root key the store was sealed
/// with, and the audit writer can make events durable. A probe reads one row (the root key check value)
/// and unseals it, so a database that is down, a PKCS#11 token that went away and a wrong key all show.
/// The result is kept for <see cref="Fresh"/>, and concurrent probes share one check: a storm of probes
/// from load balancers costs the database one query a second.
/// The store is reached through <c>readCheck</c>, which reads the root key check value (<see cref="IRootKeyStore.GetRootKeyCheckAsync"/>).
/// </summary>
internal sealed class Readiness(Func<CancellationToken, Task<byte[]?>> readCheck, ISeal seal, AuditWriter audit, TimeProvider time, ILogger<Readiness> logger)
{
    /// <summary>How long a result is reused. One second: a load balancer probing every second sees every change.</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the store and the seal each have to answer. Two seconds: far above a healthy answer
    /// (milliseconds), well within a load balancer's probe timeout (typically 5 s).
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private Task<ReadinessReport>? _last;
    private byte[]? _check;
    private bool _wasReady = true;

    /// <summary>The latest result, checked again when it is older than <see cref="Fresh"/>.</summary>
    public Task<ReadinessReport> CheckAsync()
    {
        lock (_gate)
        {
            var last = _last;
            if (last is null || (last.IsCompleted && time.GetElapsedTime(last.Result.CheckedAt) >= Fresh))
            {
                // Not the caller's token: a probe shared by many callers must not fail because one went away.
                _last = last = ProbeAsync();
            }

            return last;
        }
    }

    private async Task<ReadinessReport> ProbeAsync()
    {
        var storage = await ProbeStoreAsync();
        var sealProblem = await ProbeSealAsync();
        var auditProblem = audit.Unavailable;
        var report = new ReadinessReport(storage, sealProblem, auditProblem, time.GetTimestamp());
        lock (_gate)
        {
            if (_wasReady && !report.Ready)
            {
                logger.NotReady(report.Reason!);
            }

            _wasReady = report.Ready;
        }

        return report;
    }

    private async Task<string?> ProbeStoreAsync()
    {
        using var limit = new CancellationTokenSource(Timeout, time);
        try
        {
            _check = await readCheck(limit.Token).WaitAsync(Timeout, time, limit.Token);
            return null;
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            return $"the database did not answer within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception exception)
        {
            // The exception's type, not its message: messages of database drivers may name hosts and users.
            return $"the database cannot be read ({exception.GetType().Name})";
        }
    }

    private async Task<string?> ProbeSealAsync()
    {
        var check = _check;
        try
        {
            // The seal is synchronous (a PKCS#11 call may block): off the caller's thread, and not waited for beyond the timeout.
            var proven = await Task.Run(() => check is null ? RoundTrips(seal) : RootKeyCheck.Proves(seal, check)).WaitAsync(Timeout, time);
            return proven ? null : "the seal does not hold the root key the store was sealed with";
        }
        catch (TimeoutException)
        {
            return $"the seal did not answer within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception exception)
        {
            return $"the seal failed ({exception.GetType().Name})";
        }
    }

    /// <summary>No check value yet (the store could not be read): seal and unseal a constant, which proves the seal works.</summary>
    private static bool RoundTrips(ISeal seal)
    {
        ReadOnlySpan<byte> probe = "citadel readiness probe"u8;
        var associated = "citadel/readiness/v1"u8;
        return CryptographicOperations.FixedTimeEquals(seal.Unseal(seal.Seal(probe, associated), associated), probe);
    }
}
