using System.Data.Common;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.Sql;

/// <summary>Imported key material: material versions changed together with their key, and the versions due to expire.</summary>
internal abstract partial class SqlStore
{
    public Task<StoreOutcome> UpdateKeyMaterialsAsync(KeyRecord key, IReadOnlyList<KeyMaterialRecord> upsert, IReadOnlyList<int> removeVersions, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            var outcome = await UpdateKeyRowAsync(connection, tx, key, ct);
            if (outcome != StoreOutcome.Success)
            {
                return outcome;
            }

            await ReplaceMaterialsAsync(connection, tx, key.Id, upsert, removeVersions, ct);
            changes.Add(StoreChange.KeyChanged(key.Id));
            return StoreOutcome.Success;
        }, ct);

    /// <summary>Inserts or replaces the versions of <paramref name="upsert"/> and removes those of <paramref name="removeVersions"/>.</summary>
    private async Task ReplaceMaterialsAsync(DbConnection connection, DbTransaction tx, KeyId id, IReadOnlyList<KeyMaterialRecord> upsert, IReadOnlyList<int> removeVersions, CancellationToken ct)
    {
        // An upserted version replaces the stored one in every column: removed, then inserted.
        foreach (var version in removeVersions.Concat(upsert.Select(m => m.Version)))
        {
            await using var delete = Command(connection, tx, "DELETE FROM key_materials WHERE key_id = @id AND version = @v;");
            Add(delete, "id", id.StoreKey);
            Add(delete, "v", version);
            await delete.ExecuteNonQueryAsync(ct);
        }

        foreach (var material in upsert)
        {
            await InsertMaterialAsync(connection, tx, material, ct);
        }
    }

    public async Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsDueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        await QueryAsync($"""
            SELECT {MaterialColumns} FROM key_materials
            WHERE valid_to IS NOT NULL AND valid_to <= @now AND import_state = @imported
            ORDER BY valid_to LIMIT @limit;
            """, command =>
            {
                AddTime(command, "now", now);
                Add(command, "imported", (int)MaterialImportState.Imported);
                Add(command, "limit", limit);
            }, ReadMaterial, ct);
}
