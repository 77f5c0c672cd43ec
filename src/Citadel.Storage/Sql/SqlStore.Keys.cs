using System.Data;
using System.Data.Common;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.Sql;

/// <summary>Keys, their material versions and tags.</summary>
internal abstract partial class SqlStore
{
    private const string KeyColumns = """
        key_id, account_id, region, created_at, state, description, spec, usage, origin, manager, policy,
        deletion_date, pending_window_days, current_material_version, current_material_id,
        rotation_enabled, rotation_period_days, next_rotation_at, primary_region, replica_regions, transition_at, row_version
        """;

    private const string KeyValues = """
        @key_id, @account_id, @region, @created_at, @state, @description, @spec, @usage, @origin, @manager, @policy,
        @deletion_date, @pending_window_days, @current_material_version, @current_material_id,
        @rotation_enabled, @rotation_period_days, @next_rotation_at, @primary_region, @replica_regions, @transition_at
        """;

    private const string MaterialColumns =
        "key_id, version, material_id, sealed_material, created_at, origin, import_state, expiration_model, valid_to, description, rotated_at";

    private const string SelectKeySql = $"SELECT {KeyColumns} FROM keys WHERE key_id = @id;";

    private const string SelectMaterialSql = $"SELECT {MaterialColumns} FROM key_materials WHERE key_id = @id AND version = @v;";

    /// <summary>What goes with a key. PostgreSQL's foreign keys cascade as well; SQLite's schema has none.</summary>
    private static readonly string[] DeleteKeyChildren =
    [
        "DELETE FROM key_materials WHERE key_id = @id;",
        "DELETE FROM aliases WHERE target_key_id = @id;",
        "DELETE FROM tags WHERE key_id = @id;",
        "DELETE FROM grants WHERE key_id = @id;",
        "DELETE FROM xks_keys WHERE key_id = @id;",
    ];

    private static readonly string[] KeyTables = ["xks_keys", "grants", "tags", "aliases", "key_materials", "keys"];

    // On the request path (a key or material cache miss): no delegate or closure, one command.
    public async Task<KeyRecord?> GetKeyAsync(KeyId id, CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, SelectKeySql);
        Add(command, "id", id.StoreKey);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadKey(reader) : null;
    }

    public async Task<KeyMaterialRecord?> GetMaterialAsync(KeyId id, int version, CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, SelectMaterialSql);
        Add(command, "id", id.StoreKey);
        Add(command, "v", version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadMaterial(reader) : null;
    }

    public Task<StoreOutcome> CreateKeyAsync(KeyRecord key, KeyMaterialRecord? material, IReadOnlyList<Tag> tags, CancellationToken ct) =>
        WriteAsync((connection, tx, changes) => InsertKeyAsync(connection, tx, changes, key, material is null ? [] : [material], tags, ct), ct);

    /// <summary>Inserts a key with its material versions and tags; AlreadyExists if its id is taken.</summary>
    private async Task<StoreOutcome> InsertKeyAsync(DbConnection connection, DbTransaction tx, List<StoreChange> changes, KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials, IReadOnlyList<Tag> tags, CancellationToken ct)
    {
        await using (var command = Command(connection, tx, $"INSERT INTO keys ({KeyColumns}) VALUES ({KeyValues}, 1) ON CONFLICT (key_id) DO NOTHING;"))
        {
            BindKey(command, key);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.AlreadyExists;
            }
        }

        foreach (var material in materials)
        {
            await InsertMaterialAsync(connection, tx, material, ct);
        }

        foreach (var tag in tags)
        {
            await UpsertTagAsync(connection, tx, key.Id, tag, ct);
        }

        changes.Add(StoreChange.KeyChanged(key.Id));
        return StoreOutcome.Success;
    }

    public Task<StoreOutcome> UpdateKeyAsync(KeyRecord key, KeyMaterialRecord? newMaterial, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            var outcome = await UpdateKeyRowAsync(connection, tx, key, ct);
            if (outcome != StoreOutcome.Success)
            {
                return outcome;
            }

            if (newMaterial is not null)
            {
                await InsertMaterialAsync(connection, tx, newMaterial, ct);
            }

            changes.Add(StoreChange.KeyChanged(key.Id));
            return StoreOutcome.Success;
        }, ct);

    public Task<Page<KeyRecord>> ListKeysAsync(string accountId, string region, int limit, string? after, CancellationToken ct) =>
        PagedAsync($"""
            SELECT {KeyColumns} FROM keys
            WHERE account_id = @account AND region = @region AND key_id > @after
            ORDER BY key_id LIMIT @limit;
            """, command =>
            {
                Add(command, "account", accountId);
                Add(command, "region", region);
                Add(command, "after", after ?? "");
                Add(command, "limit", limit + 1);
            }, ReadKey, limit, k => k.Id.StoreKey, ct);

    public async Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsAsync(KeyId id, CancellationToken ct) =>
        await QueryAsync($"SELECT {MaterialColumns} FROM key_materials WHERE key_id = @id ORDER BY version;", command => Add(command, "id", id.StoreKey), ReadMaterial, ct);

    public async Task<IReadOnlyList<KeyRecord>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        await QueryAsync($"""
            SELECT {KeyColumns} FROM keys
            WHERE deletion_date IS NOT NULL AND deletion_date <= @now AND state = @state
            ORDER BY deletion_date LIMIT @limit;
            """, command => BindDue(command, now, KeyState.PendingDeletion, limit), ReadKey, ct);

    public async Task<IReadOnlyList<KeyRecord>> ListKeysDueForRotationAsync(DateTimeOffset now, int limit, CancellationToken ct) =>
        await QueryAsync($"""
            SELECT {KeyColumns} FROM keys
            WHERE rotation_enabled = {TrueLiteral} AND next_rotation_at IS NOT NULL AND next_rotation_at <= @now AND state = @state
                AND (primary_region IS NULL OR primary_region = region)
            ORDER BY next_rotation_at LIMIT @limit;
            """, command => BindDue(command, now, KeyState.Enabled, limit), ReadKey, ct);

    public Task DeleteAllKeysAsync(CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            foreach (var table in KeyTables)
            {
                await ExecuteAsync(connection, tx, $"DELETE FROM {table};", ct);
            }

            changes.Add(StoreChange.AllKeys);
        }, ct);

    public Task<StoreOutcome> DeleteKeyAsync(KeyRecord key, CancellationToken ct) =>
        WriteAsync((connection, tx, changes) => DeleteKeyRowAsync(connection, tx, changes, key, ct), ct);

    /// <summary>Removes a key and what goes with it if its row version is unchanged.</summary>
    private async Task<StoreOutcome> DeleteKeyRowAsync(DbConnection connection, DbTransaction tx, List<StoreChange> changes, KeyRecord key, CancellationToken ct)
    {
        var id = key.Id.StoreKey;
        await using (var command = Command(connection, tx, "DELETE FROM keys WHERE key_id = @id AND row_version = @rv;"))
        {
            Add(command, "id", id);
            Add(command, "rv", key.RowVersion);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return await KeyExistsAsync(connection, tx, key.Id, ct) ? StoreOutcome.VersionConflict : StoreOutcome.NotFound;
            }
        }

        foreach (var sql in DeleteKeyChildren)
        {
            await using var command = Command(connection, tx, sql);
            Add(command, "id", id);
            await command.ExecuteNonQueryAsync(ct);
        }

        changes.Add(StoreChange.KeyDeleted(key.Id));
        return StoreOutcome.Success;
    }

    // Tags

    public async Task<IReadOnlyList<Tag>> ListTagsAsync(KeyId id, CancellationToken ct) =>
        await QueryAsync("SELECT tag_key, tag_value FROM tags WHERE key_id = @id ORDER BY tag_key;", command => Add(command, "id", id.StoreKey), r => new Tag(r.GetString(0), r.GetString(1)), ct);

    public Task<StoreOutcome> ChangeTagsAsync(KeyId id, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await KeyExistsAsync(connection, tx, id, ct))
            {
                return StoreOutcome.NotFound;
            }

            foreach (var tag in upsert)
            {
                await UpsertTagAsync(connection, tx, id, tag, ct);
            }

            foreach (var tagKey in remove)
            {
                await using var command = Command(connection, tx, "DELETE FROM tags WHERE key_id = @id AND tag_key = @k;");
                Add(command, "id", id.StoreKey);
                Add(command, "k", tagKey);
                await command.ExecuteNonQueryAsync(ct);
            }

            changes.Add(StoreChange.TagsChanged(id));
            return StoreOutcome.Success;
        }, ct);

    /// <summary>The row-version-checked UPDATE of a key's metadata, shared by every key change.</summary>
    private async Task<StoreOutcome> UpdateKeyRowAsync(DbConnection connection, DbTransaction tx, KeyRecord key, CancellationToken ct)
    {
        // PostgreSQL (READ COMMITTED): a concurrent update of the same row makes this one wait, then
        // re-check the WHERE clause against the committed row, so a stale row_version matches nothing.
        // SQLite: writers are serialized.
        await using var command = Command(connection, tx, """
            UPDATE keys SET state = @state, description = @description, policy = @policy, deletion_date = @deletion_date,
                pending_window_days = @pending_window_days, current_material_version = @current_material_version,
                current_material_id = @current_material_id, rotation_enabled = @rotation_enabled,
                rotation_period_days = @rotation_period_days, next_rotation_at = @next_rotation_at,
                spec = @spec, usage = @usage, origin = @origin, manager = @manager,
                primary_region = @primary_region, replica_regions = @replica_regions, transition_at = @transition_at,
                row_version = row_version + 1
            WHERE key_id = @key_id AND row_version = @row_version;
            """);
        BindKey(command, key);
        Add(command, "row_version", key.RowVersion);
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            return await KeyExistsAsync(connection, tx, key.Id, ct) ? StoreOutcome.VersionConflict : StoreOutcome.NotFound;
        }

        return StoreOutcome.Success;
    }

    protected async Task<bool> KeyExistsAsync(DbConnection connection, DbTransaction tx, KeyId id, CancellationToken ct)
    {
        await using var command = Command(connection, tx, "SELECT 1 FROM keys WHERE key_id = @id;");
        Add(command, "id", id.StoreKey);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private async Task InsertMaterialAsync(DbConnection connection, DbTransaction tx, KeyMaterialRecord material, CancellationToken ct)
    {
        await using var command = Command(connection, tx, $"""
            INSERT INTO key_materials ({MaterialColumns})
            VALUES (@id, @v, @mid, @m, @c, @o, @is, @em, @vt, @d, @ra);
            """);
        Add(command, "id", material.KeyId.StoreKey);
        Add(command, "v", material.Version);
        Add(command, "mid", material.MaterialId);
        Add(command, "m", material.EncryptedMaterial);
        AddTime(command, "c", material.CreatedAt);
        Add(command, "o", (int)material.Origin);
        Add(command, "is", (int?)material.ImportState, DbType.Int32);
        Add(command, "em", (int?)material.ExpirationModel, DbType.Int32);
        AddTime(command, "vt", material.ValidTo);
        Add(command, "d", material.Description, DbType.String);
        AddTime(command, "ra", material.RotatedAt);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task UpsertTagAsync(DbConnection connection, DbTransaction tx, KeyId id, Tag tag, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT INTO tags (key_id, tag_key, tag_value) VALUES (@id, @k, @v)
            ON CONFLICT (key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value;
            """);
        Add(command, "id", id.StoreKey);
        Add(command, "k", tag.Key);
        Add(command, "v", tag.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private void BindDue(DbCommand command, DateTimeOffset now, KeyState state, int limit)
    {
        AddTime(command, "now", now);
        Add(command, "state", (int)state);
        Add(command, "limit", limit);
    }

    private void BindKey(DbCommand command, KeyRecord key)
    {
        Add(command, "key_id", key.Id.StoreKey);
        Add(command, "account_id", key.AccountId);
        Add(command, "region", key.Region);
        AddTime(command, "created_at", key.CreatedAt);
        Add(command, "state", (int)key.State);
        Add(command, "description", key.Description);
        Add(command, "spec", (int)key.Spec);
        Add(command, "usage", (int)key.Usage);
        Add(command, "origin", (int)key.Origin);
        Add(command, "manager", (int)key.Manager);
        Add(command, "policy", key.Policy);
        AddTime(command, "deletion_date", key.DeletionDate);
        Add(command, "pending_window_days", key.PendingWindowInDays, DbType.Int32);
        Add(command, "current_material_version", key.CurrentMaterialVersion);
        Add(command, "current_material_id", key.CurrentKeyMaterialId);
        Add(command, "rotation_enabled", key.RotationEnabled);
        Add(command, "rotation_period_days", key.RotationPeriodInDays, DbType.Int32);
        AddTime(command, "next_rotation_at", key.NextRotationAt);
        Add(command, "primary_region", key.PrimaryRegion, DbType.String);
        AddStringList(command, "replica_regions", key.ReplicaRegions);
        AddTime(command, "transition_at", key.TransitionAt);
    }

    private KeyRecord ReadKey(DbDataReader r) => new()
    {
        Id = KeyId.ParseStoreKey(r.GetString(0)),
        AccountId = r.GetString(1),
        Region = r.GetString(2),
        CreatedAt = GetTime(r, 3),
        State = (KeyState)r.GetInt32(4),
        Description = r.GetString(5),
        Spec = (KeySpec)r.GetInt32(6),
        Usage = (KeyUsage)r.GetInt32(7),
        Origin = (KeyOrigin)r.GetInt32(8),
        Manager = (KeyManager)r.GetInt32(9),
        Policy = r.GetString(10),
        DeletionDate = r.IsDBNull(11) ? null : GetTime(r, 11),
        PendingWindowInDays = r.IsDBNull(12) ? null : r.GetInt32(12),
        CurrentMaterialVersion = r.GetInt32(13),
        CurrentKeyMaterialId = r.GetString(14),
        RotationEnabled = r.GetBoolean(15),
        RotationPeriodInDays = r.IsDBNull(16) ? null : r.GetInt32(16),
        NextRotationAt = r.IsDBNull(17) ? null : GetTime(r, 17),
        PrimaryRegion = r.IsDBNull(18) ? null : r.GetString(18),
        ReplicaRegions = GetStringList(r, 19),
        TransitionAt = r.IsDBNull(20) ? null : GetTime(r, 20),
        RowVersion = r.GetInt64(21),
    };

    private KeyMaterialRecord ReadMaterial(DbDataReader r) => new(
        KeyId.ParseStoreKey(r.GetString(0)),
        r.GetInt32(1),
        r.GetString(2),
        r.GetFieldValue<byte[]>(3),
        GetTime(r, 4),
        (MaterialOrigin)r.GetInt32(5))
    {
        ImportState = r.IsDBNull(6) ? null : (MaterialImportState)r.GetInt32(6),
        ExpirationModel = r.IsDBNull(7) ? null : (ExpirationModel)r.GetInt32(7),
        ValidTo = r.IsDBNull(8) ? null : GetTime(r, 8),
        Description = r.IsDBNull(9) ? null : r.GetString(9),
        RotatedAt = r.IsDBNull(10) ? null : GetTime(r, 10),
    };

    private async Task<Page<T>> PagedAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> read, int limit, Func<T, string> sortKey, CancellationToken ct) =>
        Paged(await QueryAsync(sql, bind, read, ct), limit, sortKey);
}
