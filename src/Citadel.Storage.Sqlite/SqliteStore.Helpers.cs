using Citadel.Core.Keys;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, null, $"PRAGMA synchronous={_synchronous}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;", ct);
        return connection;
    }

    /// <summary>
    /// The writer's connection keeps 32 MB of pages (SQLite's default is 2 MB): every audit event
    /// writes the table and its indexes, and re-reading their pages from the OS (pread) showed in
    /// profiles of the server under Encrypt load (measured while the event ids were random and the
    /// resource index was by (resource, time), both since made to grow in time order).
    /// </summary>
    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA cache_size=-32768;", ct);
        return connection;
    }

    private async Task<SqliteConnection> OpenDerivedWriterAsync(CancellationToken ct)
    {
        var connection = await OpenWriterAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA synchronous=NORMAL;", ct);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one IMMEDIATE transaction; commits on success, rolls back
    /// otherwise. A <paramref name="derived"/> write (the audit trail derived from the journal) runs
    /// on a connection of its own with synchronous=NORMAL: in WAL mode its commit is not synced, the
    /// database stays consistent after a crash, and the next FULL commit or checkpoint makes it durable.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct, bool derived = false)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            // Writes are serialized by the lock, so one connection serves them all: no open and
            // pragmas per transaction (the audit writer commits many small batches).
            var connection = derived ? _derivedWriter ??= await OpenDerivedWriterAsync(ct) : _writer ??= await OpenWriterAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            var outcome = await work(connection, tx);
            if (outcome is StoreOutcome and not StoreOutcome.Success)
            {
                await tx.RollbackAsync(ct);
            }
            else
            {
                await tx.CommitAsync(ct);
            }

            return outcome;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Task<bool> WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> work, CancellationToken ct, bool derived = false) =>
        WriteAsync<bool>(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, ct, derived);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = Command(connection, tx, sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }

    private static async Task<KeyRecord?> GetKeyAsync(SqliteConnection connection, SqliteTransaction? tx, KeyId id, CancellationToken ct)
    {
        await using var command = Command(connection, tx, $"SELECT {KeyColumns} FROM keys WHERE key_id = $id;");
        command.Parameters.AddWithValue("$id", id.ToString());
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadKey(reader) : null;
    }

    private static async Task<bool> KeyExistsAsync(SqliteConnection connection, SqliteTransaction tx, KeyId id, CancellationToken ct)
    {
        await using var command = Command(connection, tx, "SELECT 1 FROM keys WHERE key_id = $id;");
        command.Parameters.AddWithValue("$id", id.ToString());
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task InsertMaterialAsync(SqliteConnection connection, SqliteTransaction tx, KeyMaterialRecord material, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT INTO key_materials (key_id, version, material_id, sealed_material, created_at, origin,
                import_state, expiration_model, valid_to, description, rotated_at)
            VALUES ($id, $v, $mid, $m, $c, $o, $is, $em, $vt, $d, $ra);
            """);
        command.Parameters.AddWithValue("$id", material.KeyId.ToString());
        command.Parameters.AddWithValue("$v", material.Version);
        command.Parameters.AddWithValue("$mid", material.MaterialId);
        command.Parameters.AddWithValue("$m", material.EncryptedMaterial);
        command.Parameters.AddWithValue("$c", ToUnixMs(material.CreatedAt));
        command.Parameters.AddWithValue("$o", (int)material.Origin);
        BindImport(command, material);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task UpsertTagAsync(SqliteConnection connection, SqliteTransaction tx, KeyId id, Tag tag, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT INTO tags (key_id, tag_key, tag_value) VALUES ($id, $k, $v)
            ON CONFLICT (key_id, tag_key) DO UPDATE SET tag_value = $v;
            """);
        command.Parameters.AddWithValue("$id", id.ToString());
        command.Parameters.AddWithValue("$k", tag.Key);
        command.Parameters.AddWithValue("$v", tag.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void BindKey(SqliteCommand command, KeyRecord key)
    {
        var p = command.Parameters;
        p.AddWithValue("$key_id", key.Id.ToString());
        p.AddWithValue("$account_id", key.AccountId);
        p.AddWithValue("$region", key.Region);
        p.AddWithValue("$created_at", ToUnixMs(key.CreatedAt));
        p.AddWithValue("$state", (int)key.State);
        p.AddWithValue("$description", key.Description);
        p.AddWithValue("$spec", (int)key.Spec);
        p.AddWithValue("$usage", (int)key.Usage);
        p.AddWithValue("$origin", (int)key.Origin);
        p.AddWithValue("$manager", (int)key.Manager);
        p.AddWithValue("$policy", key.Policy);
        p.AddWithValue("$deletion_date", key.DeletionDate is { } d ? ToUnixMs(d) : DBNull.Value);
        p.AddWithValue("$pending_window_days", key.PendingWindowInDays is { } w ? w : DBNull.Value);
        p.AddWithValue("$current_material_version", key.CurrentMaterialVersion);
        p.AddWithValue("$current_material_id", key.CurrentKeyMaterialId);
        p.AddWithValue("$rotation_enabled", key.RotationEnabled ? 1 : 0);
        p.AddWithValue("$rotation_period_days", key.RotationPeriodInDays is { } r ? r : DBNull.Value);
        p.AddWithValue("$next_rotation_at", key.NextRotationAt is { } n ? ToUnixMs(n) : DBNull.Value);
    }

    private static KeyRecord ReadKey(SqliteDataReader r) => new()
    {
        Id = new KeyId(Guid.ParseExact(r.GetString(0), "D")),
        AccountId = r.GetString(1),
        Region = r.GetString(2),
        CreatedAt = FromUnixMs(r.GetInt64(3)),
        State = (KeyState)r.GetInt32(4),
        Description = r.GetString(5),
        Spec = (KeySpec)r.GetInt32(6),
        Usage = (KeyUsage)r.GetInt32(7),
        Origin = (KeyOrigin)r.GetInt32(8),
        Manager = (KeyManager)r.GetInt32(9),
        Policy = r.GetString(10),
        DeletionDate = r.IsDBNull(11) ? null : FromUnixMs(r.GetInt64(11)),
        PendingWindowInDays = r.IsDBNull(12) ? null : r.GetInt32(12),
        CurrentMaterialVersion = r.GetInt32(13),
        CurrentKeyMaterialId = r.GetString(14),
        RotationEnabled = r.GetInt32(15) != 0,
        RotationPeriodInDays = r.IsDBNull(16) ? null : r.GetInt32(16),
        NextRotationAt = r.IsDBNull(17) ? null : FromUnixMs(r.GetInt64(17)),
        RowVersion = r.GetInt64(18),
    };

    private static KeyMaterialRecord ReadMaterial(SqliteDataReader r) => new(
        new KeyId(Guid.ParseExact(r.GetString(0), "D")),
        r.GetInt32(1),
        r.GetString(2),
        (byte[])r.GetValue(3),
        FromUnixMs(r.GetInt64(4)),
        (MaterialOrigin)r.GetInt32(5))
    {
        ImportState = r.IsDBNull(6) ? null : (MaterialImportState)r.GetInt32(6),
        ExpirationModel = r.IsDBNull(7) ? null : (ExpirationModel)r.GetInt32(7),
        ValidTo = r.IsDBNull(8) ? null : FromUnixMs(r.GetInt64(8)),
        Description = r.IsDBNull(9) ? null : r.GetString(9),
        RotatedAt = r.IsDBNull(10) ? null : FromUnixMs(r.GetInt64(10)),
    };

    private static AliasRecord ReadAlias(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        new KeyId(Guid.ParseExact(r.GetString(3), "D")),
        FromUnixMs(r.GetInt64(4)),
        FromUnixMs(r.GetInt64(5)));

    private static Page<T> Paged<T>(List<T> items, int limit, Func<T, string> sortKey)
    {
        if (items.Count <= limit)
        {
            return new Page<T>(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new Page<T>(items, sortKey(items[^1]));
    }

    private static long ToUnixMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

}
