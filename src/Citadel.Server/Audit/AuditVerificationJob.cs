using Citadel.Core.Audit;
using Citadel.Server.Jobs;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>
/// Verifies every audit chain as `citadel audit verify` does, every <see cref="AuditOptions.VerifyInterval"/> (and at
/// start), and stores the result where every node reads it (<see cref="IAuditStore.SaveVerificationAsync"/>): what
/// GetAuditChainStatus answers and the console's audit page shows. A walk reads every record (1.6–1.8 s of CPU per
/// 100,000 events, docs/audit.md), so it runs on the node that holds the job lock, not per request. A broken chain
/// is logged as an error at every round until it is repaired.
/// </summary>
internal sealed class AuditVerificationJob(IAuditStore trail, AuditOptions options, IJobLock jobLock, TimeProvider wallClock, ILogger<AuditVerificationJob> logger)
    : ClockJob(options.VerifyInterval, jobLock, wallClock, logger)
{
    /// <summary>Verifies the chains and stores the result; returns how many chains it verified.</summary>
    protected override async Task<int> RunRoundAsync(CancellationToken ct)
    {
        var chains = await VerifyChainsAsync(trail, ct);

        // The time it finished: every record it read was in the trail then.
        await trail.SaveVerificationAsync(new AuditVerification(WallClock.GetUtcNow(), chains), ct);
        foreach (var broken in chains.Where(c => !c.Intact))
        {
            logger.ChainBroken(broken.ChainId, broken.Problems[0], broken.Problems.Count);
        }

        if (logger.IsEnabled(LogLevel.Debug) && chains.All(c => c.Intact))
        {
            logger.TrailIntact(chains.Count, chains.Sum(c => c.Records));
        }

        return chains.Count;
    }

    /// <summary>Walks every chain of <paramref name="trail"/> as the store reads it (records are not held), checking links, hashes and the lookup columns.</summary>
    public static async Task<IReadOnlyList<AuditChain.Verification>> VerifyChainsAsync(IAuditStore trail, CancellationToken ct)
    {
        var chains = new List<AuditChain.Verification>();
        foreach (var head in await trail.ListChainsAsync(ct))
        {
            chains.Add(await AuditChain.VerifyAsync(head.ChainId, trail.ReadChainAsync(head.ChainId, 0, ct), head, ct));
        }

        return chains;
    }
}
