using Citadel.Core.Keys;
using Citadel.Storage.Cluster;
using Npgsql;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The store of several nodes: one PostgreSQL database that every node shares. Each change is one
/// READ COMMITTED transaction; keys use optimistic concurrency on row_version (an UPDATE that finds
/// another version changes nothing, so there is never a lost update), and every committed change
/// sends a NOTIFY naming what it touched (see <see cref="PostgreSqlChangeFeed"/>).
/// </summary>
internal sealed partial class PostgreSqlStore : IStore
{
    private const string KeyColumns = """
        key_id, account_id, region, created_at, state, description, spec, usage, origin, manager, policy,
        deletion_date, pending_window_days, current_material_version, current_material_id,
        rotation_enabled, rotation_period_days, next_rotation_at, row_version
        """;

    private const string KeyValues = """
        @key_id, @account_id, @region, @created_at, @state, @description, @spec, @usage, @origin, @manager, @policy,
        @deletion_date, @pending_window_days, @current_material_version, @current_material_id,
        @rotation_enabled, @rotation_period_days, @next_rotation_at
        """;

    private const string AliasColumns = "account_id, region, name, target_key_id, created_at, updated_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _channel;

    public PostgreSqlStore(NpgsqlDataSource dataSource, bool ownsDataSource = false, string channel = PostgreSqlChangeFeed.DefaultChannel)
    {
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _channel = channel;
    }

    public Task MigrateAsync(CancellationToken ct) => PostgreSqlMigrator.MigrateAsync(_dataSource, PostgreSqlMigrations.All, ct);

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }

    // Keys

    public async Task<KeyRecord?> GetKeyAsync(KeyId id, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {KeyColumns} FROM keys WHERE key_id = @id;");
        command.Parameters.AddWithValue("id", id.ToString());
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadKey(reader) : null;
    }

    public Task<StoreOutcome> CreateKeyAsync(KeyRecord key, KeyMaterialRecord? material, IReadOnlyList<Tag> tags, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, $"INSERT INTO keys ({KeyColumns}) VALUES ({KeyValues}, 1) ON CONFLICT (key_id) DO NOTHING;"))
            {
                BindKey(command, key);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.AlreadyExists;
                }
            }

            if (material is not null)
            {
                await InsertMaterialAsync(connection, tx, material, ct);
            }

            foreach (var tag in tags)
            {
                await UpsertTagAsync(connection, tx, key.Id, tag, ct);
            }

            changes.Add(StoreChange.KeyChanged(key.Id));
            return StoreOutcome.Success;
        }, ct);

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

    /// <summary>The row-version-checked UPDATE of a key's metadata, shared by every key change.</summary>
    private static async Task<StoreOutcome> UpdateKeyRowAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction tx, KeyRecord key, CancellationToken ct)
    {
        // Under READ COMMITTED a concurrent update of the same row makes this one wait, then
        // re-check the WHERE clause against the committed row: a stale row_version matches nothing.
        await using var command = Command(connection, tx, """
            UPDATE keys SET state = @state, description = @description, policy = @policy, deletion_date = @deletion_date,
                pending_window_days = @pending_window_days, current_material_version = @current_material_version,
                current_material_id = @current_material_id, rotation_enabled = @rotation_enabled,
                rotation_period_days = @rotation_period_days, next_rotation_at = @next_rotation_at,
                spec = @spec, usage = @usage, origin = @origin, manager = @manager,
                row_version = row_version + 1
            WHERE key_id = @key_id AND row_version = @row_version;
            """);
        BindKey(command, key);
        command.Parameters.AddWithValue("row_version", key.RowVersion);
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            return await KeyExistsAsync(connection, tx, key.Id, ct) ? StoreOutcome.VersionConflict : StoreOutcome.NotFound;
        }

        return StoreOutcome.Success;
    }

    public async Task<Page<KeyRecord>> ListKeysAsync(string accountId, string region, int limit, string? after, CancellationToken ct)
    {
        await using var command = ReadCommand($"""
            SELECT {KeyColumns} FROM keys
            WHERE account_id = @account AND region = @region AND key_id > @after
            ORDER BY key_id LIMIT @limit;
            """);
        command.Parameters.AddWithValue("account", accountId);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("after", after ?? "");
        command.Parameters.AddWithValue("limit", limit + 1);
        return Paged(await ReadAllAsync(command, ReadKey, ct), limit, k => k.Id.ToString());
    }

    public async Task<KeyMaterialRecord?> GetMaterialAsync(KeyId id, int version, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {MaterialColumns} FROM key_materials WHERE key_id = @id AND version = @v;");
        command.Parameters.AddWithValue("id", id.ToString());
        command.Parameters.AddWithValue("v", version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadMaterial(reader) : null;
    }

    public async Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsAsync(KeyId id, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {MaterialColumns} FROM key_materials WHERE key_id = @id ORDER BY version;");
        command.Parameters.AddWithValue("id", id.ToString());
        return await ReadAllAsync(command, ReadMaterial, ct);
    }

    public async Task<IReadOnlyList<KeyRecord>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var command = ReadCommand($"""
            SELECT {KeyColumns} FROM keys
            WHERE deletion_date IS NOT NULL AND deletion_date <= @now AND state = @state
            ORDER BY deletion_date LIMIT @limit;
            """);
        command.Parameters.AddWithValue("now", Timestamp(now));
        command.Parameters.AddWithValue("state", (int)KeyState.PendingDeletion);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAllAsync(command, ReadKey, ct);
    }

    public async Task<IReadOnlyList<KeyRecord>> ListKeysDueForRotationAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var command = ReadCommand($"""
            SELECT {KeyColumns} FROM keys
            WHERE rotation_enabled AND next_rotation_at IS NOT NULL AND next_rotation_at <= @now AND state = @state
            ORDER BY next_rotation_at LIMIT @limit;
            """);
        command.Parameters.AddWithValue("now", Timestamp(now));
        command.Parameters.AddWithValue("state", (int)KeyState.Enabled);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAllAsync(command, ReadKey, ct);
    }

    public Task DeleteAllKeysAsync(CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            // Materials, aliases, tags and grants go with their keys (ON DELETE CASCADE).
            await ExecuteAsync(connection, tx, "DELETE FROM keys;", ct);
            changes.Add(StoreChange.AllKeys);
        }, ct);

    public Task<StoreOutcome> DeleteKeyAsync(KeyRecord key, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            // Materials, aliases, tags and grants go with the key (ON DELETE CASCADE).
            await using var command = Command(connection, tx, "DELETE FROM keys WHERE key_id = @id AND row_version = @rv;");
            command.Parameters.AddWithValue("id", key.Id.ToString());
            command.Parameters.AddWithValue("rv", key.RowVersion);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return await KeyExistsAsync(connection, tx, key.Id, ct) ? StoreOutcome.VersionConflict : StoreOutcome.NotFound;
            }

            changes.Add(StoreChange.KeyDeleted(key.Id));
            return StoreOutcome.Success;
        }, ct);

    // Aliases

    public async Task<AliasRecord?> GetAliasAsync(string accountId, string region, string name, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {AliasColumns} FROM aliases WHERE account_id = @a AND region = @r AND name = @n;");
        command.Parameters.AddWithValue("a", accountId);
        command.Parameters.AddWithValue("r", region);
        command.Parameters.AddWithValue("n", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadAlias(reader) : null;
    }

    public Task<StoreOutcome> CreateAliasAsync(AliasRecord record, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await KeyExistsAsync(connection, tx, record.TargetKeyId, ct))
            {
                return StoreOutcome.NotFound;
            }

            // A key deleted between the check and the insert fails the foreign key: NotFound.
            await using var command = Command(connection, tx, $"""
                INSERT INTO aliases ({AliasColumns}) VALUES (@a, @r, @n, @k, @c, @u)
                ON CONFLICT (account_id, region, name) DO NOTHING;
                """);
            command.Parameters.AddWithValue("a", record.AccountId);
            command.Parameters.AddWithValue("r", record.Region);
            command.Parameters.AddWithValue("n", record.Name);
            command.Parameters.AddWithValue("k", record.TargetKeyId.ToString());
            command.Parameters.AddWithValue("c", Timestamp(record.CreatedAt));
            command.Parameters.AddWithValue("u", Timestamp(record.LastUpdatedAt));
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.AlreadyExists;
            }

            changes.Add(StoreChange.AliasChanged(record.AccountId, record.Region, record.Name));
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> UpdateAliasAsync(string accountId, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await KeyExistsAsync(connection, tx, target, ct))
            {
                return StoreOutcome.NotFound;
            }

            await using var command = Command(connection, tx, "UPDATE aliases SET target_key_id = @k, updated_at = @u WHERE account_id = @a AND region = @r AND name = @n;");
            command.Parameters.AddWithValue("a", accountId);
            command.Parameters.AddWithValue("r", region);
            command.Parameters.AddWithValue("n", name);
            command.Parameters.AddWithValue("k", target.ToString());
            command.Parameters.AddWithValue("u", Timestamp(now));
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.NotFound;
            }

            changes.Add(StoreChange.AliasChanged(accountId, region, name));
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> DeleteAliasAsync(string accountId, string region, string name, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM aliases WHERE account_id = @a AND region = @r AND name = @n;");
            command.Parameters.AddWithValue("a", accountId);
            command.Parameters.AddWithValue("r", region);
            command.Parameters.AddWithValue("n", name);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.NotFound;
            }

            changes.Add(StoreChange.AliasChanged(accountId, region, name));
            return StoreOutcome.Success;
        }, ct);

    public async Task<Page<AliasRecord>> ListAliasesAsync(string accountId, string region, KeyId? key, int limit, string? after, CancellationToken ct)
    {
        await using var command = ReadCommand($"""
            SELECT {AliasColumns} FROM aliases
            WHERE account_id = @a AND region = @r AND name > @after AND (@k::text IS NULL OR target_key_id = @k::text)
            ORDER BY name LIMIT @limit;
            """);
        command.Parameters.AddWithValue("a", accountId);
        command.Parameters.AddWithValue("r", region);
        command.Parameters.AddWithValue("after", after ?? "");
        command.Parameters.Add(new NpgsqlParameter("k", NpgsqlTypes.NpgsqlDbType.Text) { Value = key is { } k ? k.ToString() : DBNull.Value });
        command.Parameters.AddWithValue("limit", limit + 1);
        return Paged(await ReadAllAsync(command, ReadAlias, ct), limit, a => a.Name);
    }

    // Tags

    public async Task<IReadOnlyList<Tag>> ListTagsAsync(KeyId id, CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT tag_key, tag_value FROM tags WHERE key_id = @id ORDER BY tag_key;");
        command.Parameters.AddWithValue("id", id.ToString());
        return await ReadAllAsync(command, r => new Tag(r.GetString(0), r.GetString(1)), ct);
    }

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

            if (remove.Count > 0)
            {
                await using var command = Command(connection, tx, "DELETE FROM tags WHERE key_id = @id AND tag_key = ANY(@k);");
                command.Parameters.AddWithValue("id", id.ToString());
                command.Parameters.AddWithValue("k", remove.ToArray());
                await command.ExecuteNonQueryAsync(ct);
            }

            changes.Add(StoreChange.TagsChanged(id));
            return StoreOutcome.Success;
        }, ct);
}
