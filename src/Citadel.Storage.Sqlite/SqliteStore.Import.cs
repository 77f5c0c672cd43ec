using Citadel.Core.Keys;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

/// <summary>Imported key material: material versions changed together with their key, and the versions due to expire.</summary>
internal sealed partial class SqliteStore
{
    private const string MaterialColumns =
        "key_id, version, material_id, sealed_material, created_at, origin, import_state, expiration_model, valid_to, description, rotated_at";

    public Task<StoreOutcome> UpdateKeyMaterialsAsync(KeyRecord key, IReadOnlyList<KeyMaterialRecord> upsert, IReadOnlyList<int> removeVersions, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using (var command = Command(connection, tx, UpdateKeySql))
            {
                BindKey(command, key);
                command.Parameters.AddWithValue("$row_version", key.RowVersion);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return await KeyExistsAsync(connection, tx, key.Id, ct) ? StoreOutcome.VersionConflict : StoreOutcome.NotFound;
                }
            }

            foreach (var version in removeVersions)
            {
                await using var command = Command(connection, tx, "DELETE FROM key_materials WHERE key_id = $id AND version = $v;");
                command.Parameters.AddWithValue("$id", key.Id.ToString());
                command.Parameters.AddWithValue("$v", version);
                await command.ExecuteNonQueryAsync(ct);
            }

            foreach (var material in upsert)
            {
                await using (var delete = Command(connection, tx, "DELETE FROM key_materials WHERE key_id = $id AND version = $v;"))
                {
                    delete.Parameters.AddWithValue("$id", material.KeyId.ToString());
                    delete.Parameters.AddWithValue("$v", material.Version);
                    await delete.ExecuteNonQueryAsync(ct);
                }

                await InsertMaterialAsync(connection, tx, material, ct);
            }

            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsDueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"""
            SELECT {MaterialColumns} FROM key_materials
            WHERE valid_to IS NOT NULL AND valid_to <= $now AND import_state = $imported
            ORDER BY valid_to LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$now", ToUnixMs(now));
        command.Parameters.AddWithValue("$imported", (int)MaterialImportState.Imported);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadAllAsync(command, ReadMaterial, ct);
    }

    private static void BindImport(SqliteCommand command, KeyMaterialRecord material)
    {
        var p = command.Parameters;
        p.AddWithValue("$is", material.ImportState is { } state ? (int)state : DBNull.Value);
        p.AddWithValue("$em", material.ExpirationModel is { } model ? (int)model : DBNull.Value);
        p.AddWithValue("$vt", material.ValidTo is { } validTo ? ToUnixMs(validTo) : DBNull.Value);
        p.AddWithValue("$d", material.Description is { } description ? description : DBNull.Value);
        p.AddWithValue("$ra", material.RotatedAt is { } rotatedAt ? ToUnixMs(rotatedAt) : DBNull.Value);
    }
}
