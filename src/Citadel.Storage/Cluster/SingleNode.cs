namespace Citadel.Storage.Cluster;

/// <summary>
/// A store that one process owns (SQLite): this node always runs the jobs, and no other node changes
/// what it caches. Identity changes by the `citadel` command are noticed by the identity version poll.
/// </summary>
public sealed class SingleNode : IChangeFeed, IJobLock
{
    public static SingleNode Instance { get; } = new();

    private SingleNode()
    {
    }

    public ValueTask<bool> TryHoldAsync(CancellationToken ct) => ValueTask.FromResult(true);

    public async Task RunAsync(IChangeSink sink, CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
