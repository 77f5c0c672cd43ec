using System.Collections.Concurrent;

namespace Citadel.Server.Audit;

/// <summary>
/// Answers the requests of a batch whose sync ended (made durable, or failed) from a few thread-pool
/// work items that each run their requests' continuations in turn, instead of one work item per
/// request. The syncer is not a pool thread: each item it queues lands in the global queue and may
/// wake a sleeping worker, which then spins looking for more before it sleeps again; a batch of a
/// dozen requests costs a dozen wake-ups one way, and at most one per core this way (docs/audit.md,
/// "Answering the requests"). Pooled: once warm, answering allocates nothing.
/// </summary>
internal sealed class AuditCompletion : IThreadPoolWorkItem
{
    /// <summary>
    /// Fewer requests than this per work item are not split further: a work item of its own costs a
    /// request more than running its continuation after another's.
    /// </summary>
    internal const int MinPerItem = 4;

    private static readonly ConcurrentQueue<AuditCompletion> Pool = new();

    private readonly List<AuditEntry> _entries = new(64);
    private Exception? _failure;
    private Action<Exception>? _threw;

    /// <summary>
    /// Answers <paramref name="entries"/> (copied: the caller may reuse the list at once) with
    /// <paramref name="failure"/>, or as durable when it is null, from at most one work item per core.
    /// A continuation that throws is reported to <paramref name="threw"/>; the requests after it are answered all the same.
    /// </summary>
    public static void Answer(List<AuditEntry> entries, Exception? failure, Action<Exception> threw)
    {
        var count = entries.Count;
        if (count == 0)
        {
            return;
        }

        var items = Math.Clamp(count / MinPerItem, 1, Environment.ProcessorCount);
        var from = 0;
        for (var item = 0; item < items; item++)
        {
            // The first items take the remainder: sizes differ by one at most.
            var to = from + count / items + (item < count % items ? 1 : 0);
            var completion = Pool.TryDequeue(out var pooled) ? pooled : new AuditCompletion();
            for (var i = from; i < to; i++)
            {
                completion._entries.Add(entries[i]);
            }

            completion._failure = failure;
            completion._threw = threw;
            ThreadPool.UnsafeQueueUserWorkItem(completion, preferLocal: false);
            from = to;
        }
    }

    public void Execute()
    {
        foreach (var entry in _entries)
        {
            try
            {
                entry.CompleteInline(_failure);
            }
            catch (Exception exception)
            {
                // A request's continuation catches its own failures (the endpoint answers a 500); this is a defect, and
                // it must not keep the requests after it waiting.
                _threw!(exception);
            }
        }

        _entries.Clear();
        _failure = null;
        _threw = null;
        Pool.Enqueue(this);
    }
}
