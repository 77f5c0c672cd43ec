using System.Data;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    /// <summary>Attempts of a transaction that PostgreSQL aborted as a serialization failure or deadlock.</summary>
    private const int MaxAttempts = 10;

    /// <summary>
    /// Runs <paramref name="work"/> in one READ COMMITTED transaction. On success, the changes it
    /// recorded are sent with NOTIFY in the same transaction (PostgreSQL delivers them at commit, and
    /// only if it commits); any other outcome rolls back. Serialization failures and deadlocks are
    /// retried here; unique and foreign-key violations become AlreadyExists and NotFound.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, List<StoreChange>, Task<T>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            var changes = new List<StoreChange>();
            try
            {
                var result = await work(connection, tx, changes);
                if (result is StoreOutcome and not StoreOutcome.Success)
                {
                    await tx.RollbackAsync(ct);
                    return result;
                }

                if (changes.Count > 0)
                {
                    await using var notify = Command(connection, tx, "SELECT pg_notify(@channel, nextval('change_sequence')::text || E'\\n' || @changes);");
                    notify.Parameters.AddWithValue("channel", _channel);
                    notify.Parameters.AddWithValue("changes", ChangeMessage.Format(changes));
                    await notify.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
                return result;
            }
            catch (PostgresException exception) when (exception.IsTransient && attempt < MaxAttempts)
            {
                // 40001 serialization_failure, 40P01 deadlock_detected: the transaction was rolled back
                // as a whole, so running it again is safe. Back off a little, with jitter, so the
                // contenders do not collide again in lockstep.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), ct);
            }
            catch (PostgresException exception) when (typeof(T) == typeof(StoreOutcome) && OutcomeOf(exception) is { } outcome)
            {
                return (T)(object)outcome;
            }
        }
    }

    private Task<bool> WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, List<StoreChange>, Task> work, CancellationToken ct) =>
        WriteAsync<bool>(async (c, t, changes) =>
        {
            await work(c, t, changes);
            return true;
        }, ct);

    /// <summary>A constraint the contract names: the row exists already, or what it refers to does not (any more).</summary>
    private static StoreOutcome? OutcomeOf(PostgresException exception) => exception.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation => StoreOutcome.AlreadyExists,
        PostgresErrorCodes.ForeignKeyViolation => StoreOutcome.NotFound,
        _ => null,
    };

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql) => new(sql, connection, tx);

    /// <summary>A command outside any transaction, on a pooled connection that is returned when the command is disposed.</summary>
    private NpgsqlCommand ReadCommand(string sql) => _dataSource.CreateCommand(sql);

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var command = Command(connection, tx, sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<KeyRecord?> GetKeyAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, KeyId id, CancellationToken ct)
    {
        await using var command = Command(connection, tx, $"SELECT {KeyColumns} FROM keys WHERE key_id = @id;");
        command.Parameters.AddWithValue("id", id.ToString());
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadKey(reader) : null;
    }

    private static async Task<bool> KeyExistsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, KeyId id, CancellationToken ct)
    {
        await using var command = Command(connection, tx, "SELECT 1 FROM keys WHERE key_id = @id;");
        command.Parameters.AddWithValue("id", id.ToString());
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task InsertMaterialAsync(NpgsqlConnection connection, NpgsqlTransaction tx, KeyMaterialRecord material, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT INTO key_materials (key_id, version, material_id, sealed_material, created_at, origin,
                import_state, expiration_model, valid_to, description, rotated_at)
            VALUES (@id, @v, @mid, @m, @c, @o, @is, @em, @vt, @d, @ra);
            """);
        command.Parameters.AddWithValue("id", material.KeyId.ToString());
        command.Parameters.AddWithValue("v", material.Version);
        command.Parameters.AddWithValue("mid", material.MaterialId);
        command.Parameters.AddWithValue("m", material.EncryptedMaterial);
        command.Parameters.AddWithValue("c", Timestamp(material.CreatedAt));
        command.Parameters.AddWithValue("o", (int)material.Origin);
        command.Parameters.AddWithValue("is", material.ImportState is { } state ? (int)state : DBNull.Value);
        command.Parameters.AddWithValue("em", material.ExpirationModel is { } model ? (int)model : DBNull.Value);
        command.Parameters.AddWithValue("vt", material.ValidTo is { } validTo ? Timestamp(validTo) : DBNull.Value);
        command.Parameters.AddWithValue("d", (object?)material.Description ?? DBNull.Value);
        command.Parameters.AddWithValue("ra", material.RotatedAt is { } rotatedAt ? Timestamp(rotatedAt) : DBNull.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task UpsertTagAsync(NpgsqlConnection connection, NpgsqlTransaction tx, KeyId id, Tag tag, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT INTO tags (key_id, tag_key, tag_value) VALUES (@id, @k, @v)
            ON CONFLICT (key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value;
            """);
        command.Parameters.AddWithValue("id", id.ToString());
        command.Parameters.AddWithValue("k", tag.Key);
        command.Parameters.AddWithValue("v", tag.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void BindKey(NpgsqlCommand command, KeyRecord key)
    {
        var p = command.Parameters;
        p.AddWithValue("key_id", key.Id.ToString());
        p.AddWithValue("account_id", key.AccountId);
        p.AddWithValue("region", key.Region);
        p.AddWithValue("created_at", Timestamp(key.CreatedAt));
        p.AddWithValue("state", (int)key.State);
        p.AddWithValue("description", key.Description);
        p.AddWithValue("spec", (int)key.Spec);
        p.AddWithValue("usage", (int)key.Usage);
        p.AddWithValue("origin", (int)key.Origin);
        p.AddWithValue("manager", (int)key.Manager);
        p.AddWithValue("policy", key.Policy);
        p.Add(new NpgsqlParameter("deletion_date", NpgsqlDbType.TimestampTz) { Value = key.DeletionDate is { } d ? Timestamp(d) : DBNull.Value });
        p.Add(new NpgsqlParameter("pending_window_days", NpgsqlDbType.Integer) { Value = key.PendingWindowInDays is { } w ? w : DBNull.Value });
        p.AddWithValue("current_material_version", key.CurrentMaterialVersion);
        p.AddWithValue("current_material_id", key.CurrentKeyMaterialId);
        p.AddWithValue("rotation_enabled", key.RotationEnabled);
        p.Add(new NpgsqlParameter("rotation_period_days", NpgsqlDbType.Integer) { Value = key.RotationPeriodInDays is { } r ? r : DBNull.Value });
        p.Add(new NpgsqlParameter("next_rotation_at", NpgsqlDbType.TimestampTz) { Value = key.NextRotationAt is { } n ? Timestamp(n) : DBNull.Value });
    }

    private static KeyRecord ReadKey(NpgsqlDataReader r) => new()
    {
        Id = new KeyId(Guid.ParseExact(r.GetString(0), "D")),
        AccountId = r.GetString(1),
        Region = r.GetString(2),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(3),
        State = (KeyState)r.GetInt32(4),
        Description = r.GetString(5),
        Spec = (KeySpec)r.GetInt32(6),
        Usage = (KeyUsage)r.GetInt32(7),
        Origin = (KeyOrigin)r.GetInt32(8),
        Manager = (KeyManager)r.GetInt32(9),
        Policy = r.GetString(10),
        DeletionDate = r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        PendingWindowInDays = r.IsDBNull(12) ? null : r.GetInt32(12),
        CurrentMaterialVersion = r.GetInt32(13),
        CurrentKeyMaterialId = r.GetString(14),
        RotationEnabled = r.GetBoolean(15),
        RotationPeriodInDays = r.IsDBNull(16) ? null : r.GetInt32(16),
        NextRotationAt = r.IsDBNull(17) ? null : r.GetFieldValue<DateTimeOffset>(17),
        RowVersion = r.GetInt64(18),
    };

    private static KeyMaterialRecord ReadMaterial(NpgsqlDataReader r) => new(
        new KeyId(Guid.ParseExact(r.GetString(0), "D")),
        r.GetInt32(1),
        r.GetString(2),
        r.GetFieldValue<byte[]>(3),
        r.GetFieldValue<DateTimeOffset>(4),
        (MaterialOrigin)r.GetInt32(5))
    {
        ImportState = r.IsDBNull(6) ? null : (MaterialImportState)r.GetInt32(6),
        ExpirationModel = r.IsDBNull(7) ? null : (ExpirationModel)r.GetInt32(7),
        ValidTo = r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
        Description = r.IsDBNull(9) ? null : r.GetString(9),
        RotatedAt = r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
    };

    private const string MaterialColumns = "key_id, version, material_id, sealed_material, created_at, origin, import_state, expiration_model, valid_to, description, rotated_at";

    private static AliasRecord ReadAlias(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        new KeyId(Guid.ParseExact(r.GetString(3), "D")),
        r.GetFieldValue<DateTimeOffset>(4),
        r.GetFieldValue<DateTimeOffset>(5));

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }

    private static Page<T> Paged<T>(List<T> items, int limit, Func<T, string> sortKey)
    {
        if (items.Count <= limit)
        {
            return new Page<T>(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new Page<T>(items, sortKey(items[^1]));
    }

    /// <summary>Times are kept to the millisecond, in UTC, as SQLite keeps them: both providers give back the same values.</summary>
    private static DateTimeOffset Timestamp(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
