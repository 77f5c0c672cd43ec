using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Audit;

/// <summary>
/// The store's audit trail as the server's readers see it: every read first waits for the journal's
/// indexer to catch up, so LookupEvents and GetKeyLastUsage see every event answered before them.
/// </summary>
internal sealed class IndexedAuditReads(IAuditStore store, AuditWriter writer) : IAuditStore
{
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(5);

    public async Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct)
    {
        await writer.WaitIndexedAsync(CatchUpLimit, ct);
        return await store.GetChainHeadAsync(chainId, ct);
    }

    public async Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct)
    {
        await writer.WaitIndexedAsync(CatchUpLimit, ct);
        return await store.ListChainsAsync(ct);
    }

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) =>
        throw new InvalidOperationException("Audit records are appended by the audit writer only.");

    public async IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await writer.WaitIndexedAsync(CatchUpLimit, ct);
        await foreach (var record in store.ReadChainAsync(chainId, fromSequence, ct))
        {
            yield return record;
        }
    }

    public async Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct)
    {
        await writer.WaitIndexedAsync(CatchUpLimit, ct);
        return await store.LookupAsync(query, ct);
    }

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => store.DeleteOlderThanAsync(cutoff, ct);

    public Task SaveVerificationAsync(AuditVerification verification, CancellationToken ct) => store.SaveVerificationAsync(verification, ct);

    public Task<AuditVerification?> GetVerificationAsync(CancellationToken ct) => store.GetVerificationAsync(ct);
}
