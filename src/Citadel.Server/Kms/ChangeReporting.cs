using Citadel.Storage;
using Citadel.Storage.Cluster;

namespace Citadel.Server.Kms;

/// <summary>
/// How a repository's write reaches the caches: through the same <see cref="IChangeSink"/> (the
/// <see cref="Cluster.CacheInvalidator"/>) as a change the store's feed delivers from another node.
/// </summary>
internal static class ChangeReporting
{
    /// <summary>
    /// Runs the write and reports <paramref name="change"/> whatever its outcome: a write that failed or threw may still
    /// have committed, and a cache dropped for nothing only costs a read.
    /// </summary>
    public static async Task<StoreOutcome> WriteAsync(this IChangeSink changes, StoreChange change, Func<Task<StoreOutcome>> write)
    {
        try
        {
            return await write();
        }
        finally
        {
            changes.OnChange(change);
        }
    }
}
