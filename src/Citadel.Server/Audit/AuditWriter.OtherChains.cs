using System.Collections.Concurrent;
using Citadel.Storage;

namespace Citadel.Server.Audit;

/// <summary>
/// A read on one node must see what any node acknowledged before it, not only this one (PostgreSQL: every node
/// writes its own chain, and its indexer derives it behind the requests). Another node's trail can be short for
/// two reasons: its indexer has not derived its last events yet (some 100 ms), or a database crash lost its last
/// derived commits and the node, idle, has not found out (it finds out when it claims its chain again, which an
/// idle node does only at its orphan pass, every <see cref="AuditOptions.OrphanInterval"/>). So a read first lists
/// the chains whose durable journal rows end past their trail (one query, <see cref="IAuditJournalStore.ListJournalChainsAsync"/>;
/// reads only, and nothing on the request path), then, for each other node's chain in it:
/// <list type="bullet">
/// <item>no running node holds its claim (the node is gone, or lost its claim in the database's restart and has not
/// taken it again): the read claims it and derives it, as the orphan pass would, under the claim (the node's
/// journal commits are refused meanwhile, and the trail's head moves only from where the deriver found it, so
/// nothing is taken twice or skipped);</item>
/// <item>a running node holds it: that node claimed it after the database last started, and claiming asks its
/// indexer to check its trail (<see cref="TryReclaimChainAsync"/>), so the head is on its way; the read waits
/// for it.</item>
/// </list>
/// The read waits, up to its limit, until each such chain's head reaches the end its journal had when the read
/// began. A chain whose head stays short through a whole wait (a journal commit that failed for its node, which
/// answered its requests with an error, yet committed: the node's trail records those events as a gap only with
/// its next event) is not waited for again while it stays where it was.
/// </summary>
internal sealed partial class AuditWriter
{
    /// <summary>How often a read waiting for other nodes' chains looks at their heads again.</summary>
    private static readonly TimeSpan OtherChainsPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>The other chains a read waited for in vain, as they were then: later reads do not wait for them while they stay so.</summary>
    private readonly ConcurrentDictionary<string, AuditJournalChain> _chainsNotReached = new(StringComparer.Ordinal);

    /// <summary>The other nodes' chains whose journal rows end past their trail (one query), less those a read waited for in vain as they are now; null when none.</summary>
    private async Task<List<AuditJournalChain>?> OtherChainsBehindAsync(CancellationToken ct)
    {
        if (_journalStore is null)
        {
            return null;
        }

        var chains = await _journalStore.ListJournalChainsAsync(ct);
        List<AuditJournalChain>? behind = null;
        foreach (var chain in chains)
        {
            if (chain.ChainId != options.ChainId && !(_chainsNotReached.TryGetValue(chain.ChainId, out var seen) && seen == chain))
            {
                (behind ??= []).Add(chain);
            }
        }

        foreach (var (chainId, seen) in _chainsNotReached)
        {
            if (!chains.Contains(seen))
            {
                _chainsNotReached.TryRemove(new KeyValuePair<string, AuditJournalChain>(chainId, seen));
            }
        }

        return behind;
    }

    /// <summary>
    /// Derives the chains of <paramref name="behind"/> that no running node holds, then waits until every chain's
    /// head reaches the end its journal had (<see cref="AuditJournalChain.JournalEnd"/>), or <paramref name="limit"/>
    /// is cancelled (then remembers those that did not: later reads do not wait for them while they stay so).
    /// </summary>
    private async Task CatchUpOtherChainsAsync(List<AuditJournalChain> behind, CancellationToken limit)
    {
        foreach (var chain in behind)
        {
            await DeriveIfUnclaimedAsync(chain.ChainId, limit);
        }

        var now = await WaitForChainsAsync(_journalStore!, behind, OtherChainsPoll, limit);
        if (behind.Count > 0)
        {
            foreach (var chain in now.Where(c => behind.Exists(b => b.ChainId == c.ChainId)))
            {
                _chainsNotReached[chain.ChainId] = chain;
            }

            limit.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Waits, looking every <paramref name="poll"/>, until each chain of <paramref name="behind"/> has its head at the
    /// end its journal had (<see cref="AuditJournalChain.JournalEnd"/>), removing each from the list as it gets there,
    /// or until <paramref name="limit"/> is cancelled; returns the last listing of the chains (what the chains left in
    /// <paramref name="behind"/> stood at). A server's read and `citadel audit` (<see cref="AuditTools.CatchUpChainsAsync"/>) wait so.
    /// </summary>
    internal static async Task<IReadOnlyList<AuditJournalChain>> WaitForChainsAsync(IAuditJournalStore journal, List<AuditJournalChain> behind, TimeSpan poll, CancellationToken limit)
    {
        IReadOnlyList<AuditJournalChain> now = behind;
        try
        {
            while (true)
            {
                now = await journal.ListJournalChainsAsync(limit);
                behind.RemoveAll(chain => !now.Any(c => c.ChainId == chain.ChainId && c.Head < chain.JournalEnd));
                if (behind.Count == 0)
                {
                    return now;
                }

                await Task.Delay(poll, limit);
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return now;
        }
    }

    /// <summary>
    /// Claims a chain and derives it when no running node holds it; does nothing when one does (it derives the
    /// chain itself) or when another derives it meanwhile. A derive that fails is logged, not thrown: the read
    /// is not failed for another node's chain.
    /// </summary>
    private async Task DeriveIfUnclaimedAsync(string chainId, CancellationToken ct)
    {
        if (await _journalStore!.TryClaimChainAsync(chainId, ct) is not { } claim)
        {
            return;
        }

        await using (claim)
        {
            try
            {
                // Derived commits of the chain were lost, or its node died: the resource hours written with them may have been lost too.
                _journalStore.DerivedCommitsLost();
                if (await DeriveChainAsync(chainId, long.MaxValue) is var derived and > 0)
                {
                    logger.AuditChainDerivedForRead(derived, chainId);
                }
            }
            catch (AuditChainMovedException)
            {
                // Its node claimed it again and derived it first.
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The read goes on (and waits for the chain as for any other); the orphan pass tries again.
                logger.AuditIndexFailed(exception, 0, 1);
            }
        }
    }
}
