using Citadel.Core.Keys;

namespace Citadel.Storage.Sql;

/// <summary>
/// The root key check (a constant sealed under the root key at the first start, so a server given
/// another root key is refused before it reads or writes anything sealed), and root key rotation:
/// its state, and the sealed secrets it re-wraps.
/// </summary>
internal abstract partial class SqlStore
{
    public async Task<byte[]?> GetRootKeyCheckAsync(CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, "SELECT sealed FROM root_key_check WHERE id = 1;");
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    public Task<StoreOutcome> PutRootKeyCheckAsync(byte[] check, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using var command = Command(connection, tx, "INSERT INTO root_key_check (id, sealed, created_at) VALUES (1, @s, @c) ON CONFLICT (id) DO NOTHING;");
            Add(command, "s", check);
            AddTime(command, "c", now);
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.AlreadyExists : StoreOutcome.Success;
        }, ct);

    public async Task<RootKeyRotation?> GetRootKeyRotationAsync(CancellationToken ct)
    {
        var rows = await QueryAsync("SELECT target, target_check, started_at FROM root_key_rotation WHERE id = 1;", null, r => new RootKeyRotation(r.GetString(0), r.GetFieldValue<byte[]>(1), GetTime(r, 2)), ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<StoreOutcome> StartRootKeyRotationAsync(RootKeyRotation rotation, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using var command = Command(connection, tx, "INSERT INTO root_key_rotation (id, target, target_check, started_at) VALUES (1, @t, @c, @s) ON CONFLICT (id) DO NOTHING;");
            Add(command, "t", rotation.Target);
            Add(command, "c", rotation.TargetCheck);
            AddTime(command, "s", rotation.StartedAt);
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.AlreadyExists : StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<SealedSecret>> ListSealedSecretsAsync(SealedSecretKind kind, string? afterId, int afterVersion, int limit, CancellationToken ct) =>
        await QueryAsync(kind switch
            {
                SealedSecretKind.KeyMaterial => """
                    SELECT m.key_id, m.version, k.region, k.account_id, m.sealed_material FROM key_materials m JOIN keys k ON k.key_id = m.key_id
                    WHERE m.key_id > @after OR (m.key_id = @after AND m.version > @version)
                    ORDER BY m.key_id, m.version LIMIT @limit;
                    """,
                SealedSecretKind.XksProxySecret => "SELECT store_id, 0, '', '', sealed_secret FROM custom_key_stores WHERE store_id > @after ORDER BY store_id LIMIT @limit;",
                _ => "SELECT access_key_id, 0, '', '', sealed_secret FROM access_keys WHERE access_key_id > @after ORDER BY access_key_id LIMIT @limit;",
            },
            command =>
            {
                Add(command, "after", afterId ?? "");
                Add(command, "version", afterVersion);
                Add(command, "limit", limit);
            },
            r => new SealedSecret(
                kind,
                r.GetString(0),
                r.GetInt32(1),
                kind == SealedSecretKind.KeyMaterial ? Arns.Key(r.GetString(2), r.GetString(3), KeyId.ParseStoreKey(r.GetString(0))) : r.GetString(0),
                r.GetFieldValue<byte[]>(4)),
            ct);

    public Task<StoreOutcome> ReplaceSealedSecretAsync(SealedSecret current, byte[] resealed, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using var command = Command(connection, tx, current.Kind switch
            {
                SealedSecretKind.KeyMaterial => "UPDATE key_materials SET sealed_material = @new WHERE key_id = @id AND version = @version AND sealed_material = @old;",
                SealedSecretKind.XksProxySecret => "UPDATE custom_key_stores SET sealed_secret = @new WHERE store_id = @id AND sealed_secret = @old;",
                _ => "UPDATE access_keys SET sealed_secret = @new WHERE access_key_id = @id AND sealed_secret = @old;",
            });
            Add(command, "new", resealed);
            Add(command, "id", current.Id);
            Add(command, "version", current.Version);
            Add(command, "old", current.Sealed);
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.VersionConflict : StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> FinishRootKeyRotationAsync(DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx, _) =>
        {
            await using (var check = Command(connection, tx, """
                INSERT INTO root_key_check (id, sealed, created_at) SELECT 1, target_check, @now FROM root_key_rotation WHERE id = 1
                ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, created_at = excluded.created_at;
                """))
            {
                AddTime(check, "now", now);
                if (await check.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await ExecuteAsync(connection, tx, "DELETE FROM root_key_rotation WHERE id = 1;", ct);
            return StoreOutcome.Success;
        }, ct);
}
