using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.Sql;

/// <summary>Multi-Region keys: a set's keys (one row per Region, <see cref="KeyId.StoreKey"/>), changed together.</summary>
internal abstract partial class SqlStore
{
    public async Task<IReadOnlyList<KeyRecord>> ListKeySetAsync(KeyId keyId, CancellationToken ct)
    {
        if (!keyId.IsMultiRegion)
        {
            return [];
        }

        // The rows of a set are "mrk-<hex>/<region>": a range of the primary key ('0' follows '/').
        var set = keyId.Set.ToString();
        return await QueryAsync($"""
            SELECT {KeyColumns} FROM keys
            WHERE key_id > @from AND key_id < @to
            ORDER BY region{BytewiseCollation};
            """, command =>
            {
                Add(command, "from", set + "/");
                Add(command, "to", set + "0");
            }, ReadKey, ct);
    }

    public async Task<IReadOnlyList<KeyRecord>> ListKeysDueForTransitionAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        await QueryAsync($"""
            SELECT {KeyColumns} FROM keys
            WHERE transition_at IS NOT NULL AND transition_at <= @now
            ORDER BY transition_at LIMIT @limit;
            """, command =>
            {
                AddTime(command, "now", now);
                Add(command, "limit", limit);
            }, ReadKey, ct);

    public Task<StoreOutcome> ChangeKeySetAsync(KeySetChange change, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            foreach (var update in change.Update)
            {
                var outcome = await UpdateKeyRowAsync(connection, tx, update.Key, ct);
                if (outcome != StoreOutcome.Success)
                {
                    return outcome;
                }

                await ReplaceMaterialsAsync(connection, tx, update.Key.Id, update.Materials, [], ct);
                changes.Add(StoreChange.KeyChanged(update.Key.Id));
            }

            foreach (var creation in change.Create)
            {
                var outcome = await InsertKeyAsync(connection, tx, changes, creation.Key, creation.Materials, creation.Tags, ct);
                if (outcome != StoreOutcome.Success)
                {
                    return outcome;
                }
            }

            foreach (var key in change.Delete)
            {
                var outcome = await DeleteKeyRowAsync(connection, tx, changes, key, ct);
                if (outcome != StoreOutcome.Success)
                {
                    return outcome;
                }
            }

            return StoreOutcome.Success;
        }, ct);
}
