using System.Collections.Concurrent;
using Citadel.Server.Audit;

namespace Citadel.Server.Tests.Audit;

/// <summary>
/// A synced batch's requests are answered from a few thread-pool work items that run their continuations
/// in turn (<see cref="AuditCompletion"/>), not from one work item per request.
/// </summary>
[Trait("Issue", "17")]
public sealed class AuditCompletionTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly List<AuditEntry> _entries = [];

    public void Dispose()
    {
        foreach (var entry in _entries)
        {
            entry.Dispose();
        }
    }

    [Fact]
    public async Task Every_waiter_of_a_batch_is_answered_from_at_most_one_work_item_per_core_each_running_its_waiters_in_order()
    {
        var entries = Entries(24);
        var ran = new ConcurrentQueue<(int Thread, int Index, bool PoolThread)>();
        var waits = await OnThePool(() => entries.Select((entry, index) => Wait(entry, () => ran.Enqueue((Environment.CurrentManagedThreadId, index, Thread.CurrentThread.IsThreadPoolThread)))).ToList());

        AuditCompletion.Answer(entries, null, exception => Assert.Fail($"No continuation throws here, but one did: {exception}"));

        await Task.WhenAll(waits).WaitAsync(Limit);
        Assert.Equal(24, ran.Count);
        Assert.All(ran, r => Assert.True(r.PoolThread));
        var byThread = ran.GroupBy(r => r.Thread).ToList();
        Assert.InRange(byThread.Count, 1, Environment.ProcessorCount);
        // A work item takes a run of consecutive waiters and answers them in sequence order.
        Assert.All(byThread, run => Assert.Equal(run.Select(r => r.Index).Order(), run.Select(r => r.Index)));
    }

    [Fact]
    public async Task A_waiter_answered_with_a_failure_from_a_work_item_sees_that_failure()
    {
        var entries = Entries(9);
        var failure = new AuditUnavailableException("The request's audit event could not be recorded: disk gone.", new IOException("EIO"));
        var waits = entries.Select(entry => entry.Durable.AsTask()).ToList();

        AuditCompletion.Answer(entries, failure, exception => Assert.Fail($"No continuation throws here, but one did: {exception}"));

        foreach (var wait in waits)
        {
            var thrown = await Assert.ThrowsAsync<AuditUnavailableException>(() => wait.WaitAsync(Limit));
            Assert.Same(failure, thrown);
        }
    }

    [Fact]
    public async Task A_continuation_that_throws_is_reported_and_the_waiters_after_it_in_its_work_item_are_answered()
    {
        // Fewer entries than two work items take: all run in one, the throwing one first.
        var entries = Entries(AuditCompletion.MinPerItem);
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await OnThePool(() => entries[0].Durable.GetAwaiter().OnCompleted(() => throw new InvalidOperationException("a defective continuation")));
        var waits = entries.Skip(1).Select(entry => entry.Durable.AsTask()).ToList();

        AuditCompletion.Answer(entries, null, exception => reported.TrySetResult(exception));

        await Task.WhenAll(waits).WaitAsync(Limit);
        var thrown = await reported.Task.WaitAsync(Limit);
        Assert.Equal("a defective continuation", thrown.Message);
    }

    [Fact]
    public async Task The_callers_list_may_be_reused_as_soon_as_the_batch_is_handed_over()
    {
        var entries = Entries(16);
        var waits = entries.Select(entry => entry.Durable.AsTask()).ToList();

        AuditCompletion.Answer(entries, null, exception => Assert.Fail($"No continuation throws here, but one did: {exception}"));
        entries.Clear();

        await Task.WhenAll(waits).WaitAsync(Limit);
    }

    /// <summary>Entries armed as a request arms its own (built, waiting for the sync).</summary>
    private List<AuditEntry> Entries(int count)
    {
        var entries = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
        {
            var entry = new AuditEntry();
            TestEvents.Fill(entry.Event, "Encrypt");
            entry.Build();
            _entries.Add(entry);
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>
    /// Runs <paramref name="arrange"/> where a request's code runs, with no synchronization context: under the test
    /// framework's, a continuation would be posted to it rather than run by the work item.
    /// </summary>
    private static Task<T> OnThePool<T>(Func<T> arrange) => Task.Run(arrange);

    private static Task OnThePool(Action arrange) => Task.Run(arrange);

    /// <summary>Awaits the entry as a request does, then runs <paramref name="after"/> (in the continuation).</summary>
    private static async Task Wait(AuditEntry entry, Action after)
    {
        await entry.Durable;
        after();
    }
}
