using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Tests.Fakes;

/// <summary>An audit trail in memory: appends and chain heads, for the journal tests.</summary>
internal sealed class MemoryAuditStore : IAuditStore
{
    public List<AuditRecord> Records { get; } = [];

    public Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct) =>
        Task.FromResult(Records.LastOrDefault(r => r.ChainId == chainId) is { } last ? new AuditChainHead(chainId, last.Sequence, last.Hash, 1) : null);

    public Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AuditChainHead>>(Records.Select(r => r.ChainId).Distinct().Order(StringComparer.Ordinal)
            .Select(chain => Records.Last(r => r.ChainId == chain)).Select(last => new AuditChainHead(last.ChainId, last.Sequence, last.Hash, 1)).ToList());

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        Records.AddRange(records);
        return Task.CompletedTask;
    }

    public IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, CancellationToken ct) =>
        Records.Where(r => r.ChainId == chainId && r.Sequence >= fromSequence).ToAsyncEnumerable();

    public Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct) => throw new NotSupportedException();

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => throw new NotSupportedException();
}
