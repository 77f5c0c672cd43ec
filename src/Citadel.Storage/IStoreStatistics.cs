namespace Citadel.Storage;

/// <summary>
/// Counts for monitoring, read now and then (a metrics scrape, at most every few seconds), never on the
/// request path. A separate contract from <see cref="IStore"/>: nothing but monitoring needs it.
/// </summary>
public interface IStoreStatistics
{
    /// <summary>How many keys the store holds, by state and manager, over every account and region.</summary>
    Task<IReadOnlyList<KeyCount>> CountKeysAsync(CancellationToken ct);
}
