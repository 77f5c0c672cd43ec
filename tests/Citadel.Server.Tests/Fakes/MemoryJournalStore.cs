using System.Collections.Concurrent;
using Citadel.Core.Audit;
using Citadel.Storage;

namespace Citadel.Server.Tests.Fakes;

/// <summary>
/// A store that holds the audit journal, as PostgreSQL does, whose journal commits return when the
/// test says: each <see cref="AppendJournalAsync"/> waits (<see cref="NextCommitAsync"/> hands it to the test) until it is
/// completed (the row is then committed) or failed. The trail is a <see cref="MemoryAuditStore"/>.
/// </summary>
internal sealed class MemoryJournalStore : IAuditStore, IAuditJournalStore, IDisposable
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _started = new(0);
    private readonly ConcurrentQueue<Commit> _commits = new();

    public MemoryAuditStore Trail { get; } = new();

    /// <summary>The committed journal rows: chain, first and last sequence, frames.</summary>
    public List<(string Chain, long First, long Last, byte[] Frames)> Rows { get; } = [];

    public int CommitsStarted => Volatile.Read(ref _commitsStarted);

    private int _commitsStarted;

    /// <summary>The next journal commit the writer started (waits for it).</summary>
    public async Task<Commit> NextCommitAsync()
    {
        Assert.True(await _started.WaitAsync(TimeSpan.FromSeconds(10)), "The writer started no journal commit.");
        Assert.True(_commits.TryDequeue(out var commit));
        return commit;
    }

    public void Dispose() => _started.Dispose();

    public Task AppendJournalAsync(string chainId, long firstSequence, long lastSequence, ReadOnlyMemory<byte> frames, CancellationToken ct)
    {
        var commit = new Commit(this, chainId, firstSequence, lastSequence, frames.ToArray());
        Interlocked.Increment(ref _commitsStarted);
        _commits.Enqueue(commit);
        _started.Release();
        return commit.Done.Task;
    }

    public void AddRow(string chainId, long first, long last, byte[] frames)
    {
        lock (_lock)
        {
            Rows.Add((chainId, first, last, frames));
        }
    }

    public async Task<IReadOnlyList<AuditJournalChain>> ListJournalChainsAsync(CancellationToken ct)
    {
        List<(string Chain, long End)> ends;
        lock (_lock)
        {
            ends = Rows.GroupBy(r => r.Chain).Select(g => (g.Key, g.Max(r => r.Last))).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        }

        var behind = new List<AuditJournalChain>();
        foreach (var (chain, end) in ends)
        {
            var head = (await Trail.GetChainHeadAsync(chain, ct))?.Sequence ?? 0;
            if (end > head)
            {
                behind.Add(new AuditJournalChain(chain, head, end));
            }
        }

        return behind;
    }

    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <summary>Says whether a live node holds the chain: <see cref="TryClaimChainAsync"/> refuses the chains held.</summary>
    public void Hold(string chainId, bool held)
    {
        lock (_lock)
        {
            if (held)
            {
                _held.Add(chainId);
            }
            else
            {
                _held.Remove(chainId);
            }
        }
    }

    private readonly List<(string ChainId, bool Given)> _claims = [];

    /// <summary>How many claims on the chain were asked for (<paramref name="given"/>: only those given; else all).</summary>
    public int Claims(string chainId, bool given = false)
    {
        lock (_lock)
        {
            return _claims.Count(c => c.ChainId == chainId && (c.Given || !given));
        }
    }

    public Task<IAsyncDisposable?> TryClaimChainAsync(string chainId, CancellationToken ct)
    {
        lock (_lock)
        {
            var given = !_held.Contains(chainId);
            _claims.Add((chainId, given));
            return Task.FromResult<IAsyncDisposable?>(given ? new Claim() : null);
        }
    }

    public Task<IReadOnlyList<AuditJournalRow>> ReadJournalAsync(string chainId, long afterSequence, CancellationToken ct)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<AuditJournalRow>>(Rows.Where(r => r.Chain == chainId && r.Last > afterSequence).OrderBy(r => r.First).Select(r => new AuditJournalRow(r.First, r.Frames)).ToList());
        }
    }

    public Task<AuditChainHead?> GetChainHeadAsync(string chainId, CancellationToken ct) => Trail.GetChainHeadAsync(chainId, ct);

    public Task<IReadOnlyList<AuditChainHead>> ListChainsAsync(CancellationToken ct) => Trail.ListChainsAsync(ct);

    public Task AppendAsync(string chainId, IReadOnlyList<AuditRecord> records, CancellationToken ct) => Trail.AppendAsync(chainId, records, ct);

    /// <summary>Where each derived record said its bytes are (<see cref="AuditRecordUtf8.Segment"/>: the journal row's first sequence number), with its bytes.</summary>
    public List<(long Sequence, string? Row, long Offset, byte[] Record)> Derived { get; } = [];

    public Task AppendDerivedAsync(string chainId, IReadOnlyList<AuditRecordUtf8> records, CancellationToken ct)
    {
        lock (_lock)
        {
            Derived.AddRange(records.Select(r => (r.Sequence, r.Segment, r.RecordOffset, r.Record.ToArray())));
        }

        return Trail.AppendDerivedAsync(chainId, records, ct);
    }

    public Task SyncDerivedAsync(CancellationToken ct) => Trail.SyncDerivedAsync(ct);

    public IAsyncEnumerable<AuditRecord> ReadChainAsync(string chainId, long fromSequence, CancellationToken ct) => Trail.ReadChainAsync(chainId, fromSequence, ct);

    public Task<(IReadOnlyList<AuditRecord> Records, AuditCursor? Next)> LookupAsync(AuditQuery query, CancellationToken ct) => Trail.LookupAsync(query, ct);

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct) => Trail.DeleteOlderThanAsync(cutoff, ct);

    public Task SaveVerificationAsync(AuditVerification verification, CancellationToken ct) => Trail.SaveVerificationAsync(verification, ct);

    public Task<AuditVerification?> GetVerificationAsync(CancellationToken ct) => Trail.GetVerificationAsync(ct);

    /// <summary>One journal commit under way.</summary>
    internal sealed class Commit(MemoryJournalStore store, string chainId, long first, long last, byte[] frames)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long First => first;

        public long Last => last;

        public void Complete()
        {
            store.AddRow(chainId, first, last, frames);
            Done.SetResult();
        }

        public void Fail() => Done.SetException(new IOException("The database connection was lost."));
    }

    private sealed class Claim : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
