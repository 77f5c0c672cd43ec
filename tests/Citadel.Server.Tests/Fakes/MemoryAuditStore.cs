using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Tests.Fakes;

/// <summary>
/// An audit trail in memory: appends and chain heads, for the journal tests. Derived appends are
/// durable only once synced (<see cref="Durable"/> is what a crash would leave), and appends can be
/// made to fail, as a store that is down does.
/// </summary>
internal sealed class MemoryAuditStore : IAuditStore
{
    private readonly Lock _lock = new();
    private int _durable;

    public List<AuditRecord> Records { get; } = [];

    /// <summary>While set, appends and syncs throw, as those to a store that is down do.</summary>
    public bool Down { get; set; }

    /// <summary>How long each derived append takes, as a slow store's would: the indexer holds its batches' frames meanwhile.</summary>
    public TimeSpan DeriveDelay { get; set; }

    /// <summary>How many times the derived records were made durable.</summary>
    public int Syncs { get; private set; }

    /// <summary>The records a crash of the store would leave: everything but derived appends not yet synced.</summary>
    public List<AuditRecord> Durable()
    {
        lock (_lock)
        {
            return Records.Take(_durable).ToList();
        }
    }

    public Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult(Records.LastOrDefault(r => r.ChainId == chainId) is { } last ? new AuditChainHead(chainId, last.Sequence, last.Hash, 1) : null);
        }
    }

    public Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AuditChainHead>>(Records.Select(r => r.ChainId).Distinct().Order(StringComparer.Ordinal)
            .Select(chain => Records.Last(r => r.ChainId == chain)).Select(last => new AuditChainHead(last.ChainId, last.Sequence, last.Hash, 1)).ToList());

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        lock (_lock)
        {
            ThrowIfDown();
            Records.AddRange(records);
            _durable = Records.Count;
        }

        return Task.CompletedTask;
    }

    public Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct)
    {
        if (DeriveDelay > TimeSpan.Zero)
        {
            // Synchronously, as SQLite's is: the indexer's thread is held, and batches queue behind it.
            Thread.Sleep(DeriveDelay);
        }

        lock (_lock)
        {
            ThrowIfDown();
            Records.AddRange(records.Select(r => r.ToRecord(chainId)));
        }

        return Task.CompletedTask;
    }

    public Task SyncDerivedAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            ThrowIfDown();
            _durable = Records.Count;
            Syncs++;
        }

        return Task.CompletedTask;
    }

    public IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, CancellationToken ct) =>
        Records.Where(r => r.ChainId == chainId && r.Sequence >= fromSequence).ToAsyncEnumerable();

    public Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct) => throw new NotSupportedException();

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => throw new NotSupportedException();

    /// <summary>The latest verification saved, as the store keeps it.</summary>
    public AuditVerification? Verification { get; private set; }

    public Task SaveVerificationAsync(AuditVerification verification, CancellationToken ct)
    {
        Verification = verification;
        return Task.CompletedTask;
    }

    public Task<AuditVerification?> GetVerificationAsync(CancellationToken ct) => Task.FromResult(Verification);

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new InvalidOperationException("The store is down.");
        }
    }
}
