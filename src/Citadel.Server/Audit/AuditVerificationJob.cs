using Citadel.Core.Audit;
using Citadel.Server.Jobs;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>
/// Verifies every audit chain as `citadel audit verify` does, every <see cref="AuditOptions.VerifyInterval"/> (and at
/// start), and stores the result where every node reads it (<see cref="IAuditStore.SaveVerificationAsync"/>): what
/// GetAuditChainStatus answers and the console's audit page shows. A broken chain is logged as an error at every
/// round until it is repaired.
/// </summary>
/// <remarks>
/// A walk of a whole chain reads every record (1.6–1.8 s of CPU per 100,000 events, docs/audit.md), so only the
/// first round on a node (and its first after another node held the job lock) and then one every
/// <see cref="AuditOptions.FullVerifyInterval"/> walk every chain; the
/// rounds between them continue each intact chain from where the previous round ended (its
/// <see cref="AuditChainAnchor"/>, kept in memory) and read only the records after it. Such a round re-reads the
/// anchor record and compares it with what was verified, so a change to it is seen at once; a change to an older
/// record waits for the next full walk. A chain that is new, was broken, or whose retained start moved past its
/// anchor is walked whole. A chain found rewritten consistently (the anchor record changed, every link and hash
/// matching) is reported at every round after, until the node restarts or the record verified before is back.
/// </remarks>
internal sealed class AuditVerificationJob : ClockJob
{
    private readonly IAuditStore _trail;
    private readonly AuditOptions _options;
    private readonly ILogger<AuditVerificationJob> _logger;
    private readonly HeldLock _jobLock;

    // Touched by rounds only, which run one at a time.
    private Dictionary<string, AuditChainAnchor>? _anchors;
    private DateTimeOffset _nextFullWalk;

    // Chains found rewritten, with the record as it was verified before: reported at every round until it is back.
    private readonly Dictionary<string, AuditChainAnchor> _rewritten = new(StringComparer.Ordinal);

    public AuditVerificationJob(IAuditStore trail, AuditOptions options, IJobLock jobLock, TimeProvider wallClock, ILogger<AuditVerificationJob> logger)
        : this(trail, options, new HeldLock(jobLock), wallClock, logger)
    {
    }

    private AuditVerificationJob(IAuditStore trail, AuditOptions options, HeldLock jobLock, TimeProvider wallClock, ILogger<AuditVerificationJob> logger)
        : base(options.VerifyInterval, jobLock, wallClock, logger)
    {
        _trail = trail;
        _options = options;
        _logger = logger;
        _jobLock = jobLock;
    }

    /// <summary>Verifies the chains and stores the result; returns how many chains it verified.</summary>
    protected override async Task<int> RunRoundAsync(CancellationToken ct)
    {
        if (_jobLock.WasLost)
        {
            // While another node held the lock, it stored its own results (perhaps a chain found broken): start over.
            _jobLock.WasLost = false;
            _anchors = null;
        }

        var started = WallClock.GetUtcNow();
        var previous = started >= _nextFullWalk ? null : _anchors;

        var anchors = new Dictionary<string, AuditChainAnchor>(StringComparer.Ordinal);
        var chains = new List<AuditChain.Verification>();
        foreach (var head in await _trail.ListChainsAsync(ct))
        {
            var from = previous?.GetValueOrDefault(head.ChainId)?.RetainedFrom(head.RetainedFromSequence);
            var (verification, anchor) = await StillRewrittenAsync(head, ct)
                ?? (from is null ? null : await ContinueAsync(head, from, ct))
                ?? await WalkAsync(_trail, head, ct);
            chains.Add(verification);
            if (anchor is not null)
            {
                anchors.Add(head.ChainId, anchor);
            }
        }

        _anchors = anchors;
        if (previous is null)
        {
            // Only a full walk that finished counts: one that failed (the store down) is done again at the next round.
            _nextFullWalk = started + _options.FullVerifyInterval;
        }

        // The time it finished: every record it read was in the trail then.
        await _trail.SaveVerificationAsync(new AuditVerification(WallClock.GetUtcNow(), chains), ct);
        foreach (var broken in chains.Where(c => !c.Intact))
        {
            _logger.ChainBroken(broken.ChainId, broken.Problems[0], broken.Problems.Count);
        }

        if (_logger.IsEnabled(LogLevel.Debug) && chains.All(c => c.Intact))
        {
            _logger.TrailIntact(chains.Count, chains.Sum(c => c.Records));
        }

        return chains.Count;
    }

    /// <summary>Walks every chain of <paramref name="trail"/> as the store reads it (records are not held), checking links, hashes and the lookup columns.</summary>
    public static async Task<IReadOnlyList<AuditChain.Verification>> VerifyChainsAsync(IAuditStore trail, CancellationToken ct)
    {
        var chains = new List<AuditChain.Verification>();
        foreach (var head in await trail.ListChainsAsync(ct))
        {
            chains.Add((await WalkAsync(trail, head, ct)).Verification);
        }

        return chains;
    }

    /// <summary>Walks one chain from its start.</summary>
    private static Task<(AuditChain.Verification Verification, AuditChainAnchor? Anchor)> WalkAsync(IAuditStore trail, AuditChainHead head, CancellationToken ct) =>
        VerifyAsync(new AuditChainVerifier(head.ChainId, head), trail.ReadChainAsync(head.ChainId, 0, ct).GetAsyncEnumerator(ct));

    /// <summary>
    /// Continues the verification of one chain after <paramref name="anchor"/>: re-reads the anchor record, then the records
    /// after it. Null when the anchor record is not the one verified (changed, replaced or removed): the chain is then walked
    /// from its start, which says what changed; a chain rewritten consistently, which such a walk cannot see, is reported here.
    /// </summary>
    private async Task<(AuditChain.Verification Verification, AuditChainAnchor? Anchor)?> ContinueAsync(AuditChainHead head, AuditChainAnchor anchor, CancellationToken ct)
    {
        // ReadChainAsync reads from the sequence number given, inclusive: the anchor record comes first.
        var records = _trail.ReadChainAsync(head.ChainId, anchor.Last.Sequence, ct).GetAsyncEnumerator(ct);
        AuditRecord? reread;
        try
        {
            reread = await records.MoveNextAsync() ? records.Current : null;
        }
        catch
        {
            await records.DisposeAsync();
            throw;
        }

        if (reread == anchor.Last)
        {
            return await VerifyAsync(new AuditChainVerifier(head.ChainId, head, anchor), records);
        }

        await records.DisposeAsync();
        _logger.AnchorChanged(head.ChainId, anchor.Last.Sequence);
        var walked = await WalkAsync(_trail, head, ct);
        if (walked.Verification.Intact && reread?.Sequence == anchor.Last.Sequence)
        {
            // Every record links and matches its hash, but the one verified before is not there any more: the chain was
            // rewritten from it or before it (or the database restored under the running server), which only the anchor shows.
            _rewritten[head.ChainId] = anchor;
            return (walked.Verification with { Intact = false, Problems = [Rewritten(anchor)] }, null);
        }

        return walked;
    }

    /// <summary>
    /// A chain found rewritten stays reported at every round (walked whole, its other problems after this one), as a
    /// broken chain does, though a walk finds it consistent: the record verified before, kept in memory, is the only
    /// evidence. Null when the chain was not found rewritten, or the record verified before is back (the original restored).
    /// </summary>
    private async Task<(AuditChain.Verification Verification, AuditChainAnchor? Anchor)?> StillRewrittenAsync(AuditChainHead head, CancellationToken ct)
    {
        if (!_rewritten.TryGetValue(head.ChainId, out var verified))
        {
            return null;
        }

        AuditRecord? reread = null;
        await foreach (var record in _trail.ReadChainAsync(head.ChainId, verified.Last.Sequence, ct))
        {
            reread = record;
            break;
        }

        if (reread == verified.Last)
        {
            _rewritten.Remove(head.ChainId);
            return null;
        }

        var (walked, _) = await WalkAsync(_trail, head, ct);
        return (walked with { Intact = false, Problems = [Rewritten(verified), .. walked.Problems] }, null);
    }

    private static string Rewritten(AuditChainAnchor verified) =>
        $"record {verified.Last.Sequence} (event {verified.Last.EventId}) is not the record verified before, though the chain is consistent: it was rewritten from that record or an earlier one";

    private static async Task<(AuditChain.Verification Verification, AuditChainAnchor? Anchor)> VerifyAsync(AuditChainVerifier verifier, IAsyncEnumerator<AuditRecord> records) =>
        (await AuditChain.VerifyAsync(verifier, records), verifier.Anchor);

    /// <summary>The job lock, noting a round at which this node did not hold it.</summary>
    private sealed class HeldLock(IJobLock jobLock) : IJobLock
    {
        public bool WasLost { get; set; }

        public async ValueTask<bool> TryHoldAsync(CancellationToken ct)
        {
            var held = await jobLock.TryHoldAsync(ct);
            WasLost |= !held;
            return held;
        }
    }
}
