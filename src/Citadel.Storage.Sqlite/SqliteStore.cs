using System.Globalization;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite database in WAL mode. Writers are serialized in-process (SQLite
/// has one writer anyway), so transactions never wait on SQLITE_BUSY from each other.
/// </summary>
internal sealed partial class SqliteStore : IStore
{
    private const string KeyColumns = """
        key_id, account_id, region, created_at, state, description, spec, usage, origin, manager, policy,
        deletion_date, pending_window_days, current_material_version, current_material_id,
        rotation_enabled, rotation_period_days, next_rotation_at, row_version
        """;

    private const string UpdateKeySql = """
        UPDATE keys SET state = $state, description = $description, policy = $policy, deletion_date = $deletion_date,
            pending_window_days = $pending_window_days, current_material_version = $current_material_version,
            current_material_id = $current_material_id, rotation_enabled = $rotation_enabled,
            rotation_period_days = $rotation_period_days, next_rotation_at = $next_rotation_at,
            spec = $spec, usage = $usage, origin = $origin, manager = $manager,
            row_version = row_version + 1
        WHERE key_id = $key_id AND row_version = $row_version;
        """;

    private static readonly string[] DeleteKeyChildren =
    [
        "DELETE FROM key_materials WHERE key_id = $id;",
        "DELETE FROM aliases WHERE target_key_id = $id;",
        "DELETE FROM tags WHERE key_id = $id;",
        "DELETE FROM grants WHERE key_id = $id;",
    ];

    private static readonly string[] KeyTables = ["grants", "tags", "aliases", "key_materials", "keys"];

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;
    private SqliteConnection? _derivedWriter;

    public SqliteStore(string databasePath, bool durableSync = true)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _synchronous = durableSync ? "FULL" : "NORMAL";
    }

    private readonly string _synchronous;

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", ct);
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL);", ct);
        await _writeLock.WaitAsync(ct);
        try
        {
            foreach (var migration in SqliteMigrations.All)
            {
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
                await using (var check = Command(connection, tx, "SELECT COUNT(*) FROM schema_version WHERE version = $v;"))
                {
                    check.Parameters.AddWithValue("$v", migration.Version);
                    if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0)
                    {
                        continue;
                    }
                }

                await ExecuteAsync(connection, tx, migration.Sql, ct);
                await using (var record = Command(connection, tx, "INSERT INTO schema_version (version, description, applied_at) VALUES ($v, $d, $t);"))
                {
                    record.Parameters.AddWithValue("$v", migration.Version);
                    record.Parameters.AddWithValue("$d", migration.Description);
                    record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                    await record.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Checkpoint so the WAL does not grow across restarts; pooled connections close with the pool.
        try
        {
            await using var connection = await OpenAsync(CancellationToken.None);
            await ExecuteAsync(connection, null, "PRAGMA wal_checkpoint(TRUNCATE);", CancellationToken.None);
        }
        catch (SqliteException)
        {
            // Best effort: the WAL is replayed on the next open anyway.
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        if (_derivedWriter is not null)
        {
            await _derivedWriter.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _writeLock.Dispose();
    }

    // Identities

    public async Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, """
            SELECT access_key_id, account_id, principal_arn, principal_type, principal_id, sealed_secret, created_at
            FROM access_keys WHERE access_key_id = $id AND status = 1;
            """);
        command.Parameters.AddWithValue("$id", accessKeyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new AccessKeyRecord(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            (PrincipalType)reader.GetInt32(3),
            reader.GetString(4),
            (byte[])reader.GetValue(5),
            FromUnixMs(reader.GetInt64(6)));
    }

    public Task PutAccessKeyAsync(AccessKeyRecord accessKey, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = Command(connection, tx, """
                INSERT INTO access_keys (access_key_id, account_id, principal_arn, principal_type, principal_id, sealed_secret, created_at)
                VALUES ($id, $account, $arn, $type, $pid, $secret, $created)
                ON CONFLICT (access_key_id) DO UPDATE SET account_id = $account, principal_arn = $arn, principal_type = $type,
                    principal_id = $pid, sealed_secret = $secret, created_at = $created;
                """);
            command.Parameters.AddWithValue("$id", accessKey.AccessKeyId);
            command.Parameters.AddWithValue("$account", accessKey.AccountId);
            command.Parameters.AddWithValue("$arn", accessKey.PrincipalArn);
            command.Parameters.AddWithValue("$type", (int)accessKey.PrincipalType);
            command.Parameters.AddWithValue("$pid", accessKey.PrincipalId);
            command.Parameters.AddWithValue("$secret", accessKey.SealedSecret);
            command.Parameters.AddWithValue("$created", ToUnixMs(accessKey.CreatedAt));
            await command.ExecuteNonQueryAsync(ct);
            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    // Keys

    public async Task<KeyRecord?> GetKeyAsync(KeyId id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        return await GetKeyAsync(connection, null, id, ct);
    }

    public Task<StoreOutcome> CreateKeyAsync(KeyRecord key, KeyMaterialRecord? material, IReadOnlyList<Tag> tags, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using (var command = Command(connection, tx, $"INSERT OR IGNORE INTO keys ({KeyColumns}) VALUES ($key_id, $account_id, $region, $created_at, $state, $description, $spec, $usage, $origin, $manager, $policy, $deletion_date, $pending_window_days, $current_material_version, $current_material_id, $rotation_enabled, $rotation_period_days, $next_rotation_at, 1);"))
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

            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> UpdateKeyAsync(KeyRecord key, KeyMaterialRecord? newMaterial, CancellationToken ct) =>
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

            if (newMaterial is not null)
            {
                await InsertMaterialAsync(connection, tx, newMaterial, ct);
            }

            return StoreOutcome.Success;
        }, ct);

    public async Task<Page<KeyRecord>> ListKeysAsync(string accountId, string region, int limit, string? after, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"""
            SELECT {KeyColumns} FROM keys
            WHERE account_id = $account AND region = $region AND key_id > $after
            ORDER BY key_id LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$region", region);
        command.Parameters.AddWithValue("$after", after ?? "");
        command.Parameters.AddWithValue("$limit", limit + 1);
        var keys = await ReadAllAsync(command, ReadKey, ct);

        return Paged(keys, limit, k => k.Id.ToString());
    }

    public async Task<KeyMaterialRecord?> GetMaterialAsync(KeyId id, int version, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"SELECT {MaterialColumns} FROM key_materials WHERE key_id = $id AND version = $v;");
        command.Parameters.AddWithValue("$id", id.ToString());
        command.Parameters.AddWithValue("$v", version);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadMaterial(reader) : null;
    }

    public async Task<IReadOnlyList<KeyMaterialRecord>> ListMaterialsAsync(KeyId id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"SELECT {MaterialColumns} FROM key_materials WHERE key_id = $id ORDER BY version;");
        command.Parameters.AddWithValue("$id", id.ToString());
        return await ReadAllAsync(command, ReadMaterial, ct);
    }

    public async Task<IReadOnlyList<KeyRecord>> ListKeysDueForDeletionAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"""
            SELECT {KeyColumns} FROM keys
            WHERE deletion_date IS NOT NULL AND deletion_date <= $now AND state = $state
            ORDER BY deletion_date LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$now", ToUnixMs(now));
        command.Parameters.AddWithValue("$state", (int)KeyState.PendingDeletion);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadAllAsync(command, ReadKey, ct);
    }

    public async Task<IReadOnlyList<KeyRecord>> ListKeysDueForRotationAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"""
            SELECT {KeyColumns} FROM keys
            WHERE rotation_enabled = 1 AND next_rotation_at IS NOT NULL AND next_rotation_at <= $now AND state = $state
            ORDER BY next_rotation_at LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$now", ToUnixMs(now));
        command.Parameters.AddWithValue("$state", (int)KeyState.Enabled);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadAllAsync(command, ReadKey, ct);
    }

    public Task DeleteAllKeysAsync(CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            foreach (var table in KeyTables)
            {
                await ExecuteAsync(connection, tx, $"DELETE FROM {table};", ct);
            }
        }, ct);

    public Task<StoreOutcome> DeleteKeyAsync(KeyRecord key, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            var id = key.Id.ToString();
            await using (var command = Command(connection, tx, "DELETE FROM keys WHERE key_id = $id AND row_version = $rv;"))
            {
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$rv", key.RowVersion);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return await KeyExistsAsync(connection, tx, key.Id, ct) ? StoreOutcome.VersionConflict : StoreOutcome.NotFound;
                }
            }

            foreach (var sql in DeleteKeyChildren)
            {
                await using var command = Command(connection, tx, sql);
                command.Parameters.AddWithValue("$id", id);
                await command.ExecuteNonQueryAsync(ct);
            }

            return StoreOutcome.Success;
        }, ct);

    // Aliases

    public async Task<AliasRecord?> GetAliasAsync(string accountId, string region, string name, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT account_id, region, name, target_key_id, created_at, updated_at FROM aliases WHERE account_id = $a AND region = $r AND name = $n;");
        command.Parameters.AddWithValue("$a", accountId);
        command.Parameters.AddWithValue("$r", region);
        command.Parameters.AddWithValue("$n", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadAlias(reader) : null;
    }

    public Task<StoreOutcome> CreateAliasAsync(AliasRecord alias, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            if (!await KeyExistsAsync(connection, tx, alias.TargetKeyId, ct))
            {
                return StoreOutcome.NotFound;
            }

            await using var command = Command(connection, tx, """
                INSERT OR IGNORE INTO aliases (account_id, region, name, target_key_id, created_at, updated_at)
                VALUES ($a, $r, $n, $k, $c, $u);
                """);
            command.Parameters.AddWithValue("$a", alias.AccountId);
            command.Parameters.AddWithValue("$r", alias.Region);
            command.Parameters.AddWithValue("$n", alias.Name);
            command.Parameters.AddWithValue("$k", alias.TargetKeyId.ToString());
            command.Parameters.AddWithValue("$c", ToUnixMs(alias.CreatedAt));
            command.Parameters.AddWithValue("$u", ToUnixMs(alias.LastUpdatedAt));
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.AlreadyExists : StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> UpdateAliasAsync(string accountId, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            if (!await KeyExistsAsync(connection, tx, target, ct))
            {
                return StoreOutcome.NotFound;
            }

            await using var command = Command(connection, tx, "UPDATE aliases SET target_key_id = $k, updated_at = $u WHERE account_id = $a AND region = $r AND name = $n;");
            command.Parameters.AddWithValue("$a", accountId);
            command.Parameters.AddWithValue("$r", region);
            command.Parameters.AddWithValue("$n", name);
            command.Parameters.AddWithValue("$k", target.ToString());
            command.Parameters.AddWithValue("$u", ToUnixMs(now));
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.NotFound : StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> DeleteAliasAsync(string accountId, string region, string name, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM aliases WHERE account_id = $a AND region = $r AND name = $n;");
            command.Parameters.AddWithValue("$a", accountId);
            command.Parameters.AddWithValue("$r", region);
            command.Parameters.AddWithValue("$n", name);
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.NotFound : StoreOutcome.Success;
        }, ct);

    public async Task<Page<AliasRecord>> ListAliasesAsync(string accountId, string region, KeyId? key, int limit, string? after, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, """
            SELECT account_id, region, name, target_key_id, created_at, updated_at FROM aliases
            WHERE account_id = $a AND region = $r AND name > $after AND ($k IS NULL OR target_key_id = $k)
            ORDER BY name LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$a", accountId);
        command.Parameters.AddWithValue("$r", region);
        command.Parameters.AddWithValue("$after", after ?? "");
        command.Parameters.AddWithValue("$k", key is { } k ? k.ToString() : DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit + 1);
        var aliases = await ReadAllAsync(command, ReadAlias, ct);

        return Paged(aliases, limit, a => a.Name);
    }

    // Tags

    public async Task<IReadOnlyList<Tag>> ListTagsAsync(KeyId id, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT tag_key, tag_value FROM tags WHERE key_id = $id ORDER BY tag_key;");
        command.Parameters.AddWithValue("$id", id.ToString());
        return await ReadAllAsync(command, reader => new Tag(reader.GetString(0), reader.GetString(1)), ct);
    }

    public Task<StoreOutcome> ChangeTagsAsync(KeyId id, IReadOnlyList<Tag> set, IReadOnlyList<string> remove, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            if (!await KeyExistsAsync(connection, tx, id, ct))
            {
                return StoreOutcome.NotFound;
            }

            foreach (var tag in set)
            {
                await UpsertTagAsync(connection, tx, id, tag, ct);
            }

            foreach (var tagKey in remove)
            {
                await using var command = Command(connection, tx, "DELETE FROM tags WHERE key_id = $id AND tag_key = $k;");
                command.Parameters.AddWithValue("$id", id.ToString());
                command.Parameters.AddWithValue("$k", tagKey);
                await command.ExecuteNonQueryAsync(ct);
            }

            return StoreOutcome.Success;
        }, ct);
}
