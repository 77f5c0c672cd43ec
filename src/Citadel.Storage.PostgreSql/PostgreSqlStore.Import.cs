using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    public Task<StoreOutcome> UpdateKeyMaterialsAsync(KeyRecord key, IReadOnlyList<KeyMaterialRecord> upsert, IReadOnlyList<int> removeVersions, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            var outcome = await UpdateKeyRowAsync(connection, tx, key, ct);
            if (outcome != StoreOutcome.Success)
            {
                return outcome;
            }

            foreach (var version in removeVersions.Concat(upsert.Select(m => m.Version)))
            {
                await using var delete = Command(connection, tx, "DELETE FROM key_materials WHERE key_id = @id AND version = @v;");
                delete.Parameters.AddWithValue("id", key.Id.ToString());
                delete.Parameters.AddWithValue("v", version);
                await delete.ExecuteNonQueryAsync(ct);
            }

            foreach (var material in upsert)
            {
                await InsertMaterialAsync(connection, tx, material, ct);
            }

            changes.Add(StoreChange.KeyChanged(key.Id));
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsDueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var command = ReadCommand($"""
            SELECT {MaterialColumns} FROM key_materials
            WHERE valid_to IS NOT NULL AND valid_to <= @now AND import_state = @imported
            ORDER BY valid_to LIMIT @limit;
            """);
        command.Parameters.AddWithValue("now", Timestamp(now));
        command.Parameters.AddWithValue("imported", (int)MaterialImportState.Imported);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAllAsync(command, ReadMaterial, ct);
    }
}
