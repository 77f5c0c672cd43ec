using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

/// <summary>The IAM API's additions (<see cref="IIamEntityStore"/>); writes are serialized by the write lock, so checks and inserts are atomic.</summary>
internal sealed partial class SqliteStore
{
    private const string IamEntitySelect = """
        SELECT p.arn, p.account_id, p.type, p.name, p.principal_id, p.created_at,
               coalesce(e.path, '/'), e.description, p.trust_policy, coalesce(p.max_session_duration, 3600)
        FROM principals p LEFT JOIN iam_entities e ON e.arn = p.arn
        """;

    public Task<StoreOutcome> CreateIamEntityAsync(IamEntity entity, IReadOnlyList<Tag> tags, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            var principal = entity.Principal;
            await using (var exists = Command(connection, tx, "SELECT 1 FROM accounts WHERE account_id = $a;"))
            {
                exists.Parameters.AddWithValue("$a", principal.AccountId);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await using (var taken = Command(connection, tx, "SELECT 1 FROM principals WHERE account_id = $a AND type = $t AND name = $n COLLATE NOCASE;"))
            {
                taken.Parameters.AddWithValue("$a", principal.AccountId);
                taken.Parameters.AddWithValue("$t", (int)principal.Type);
                taken.Parameters.AddWithValue("$n", principal.Name);
                if (await taken.ExecuteScalarAsync(ct) is not null)
                {
                    return StoreOutcome.AlreadyExists;
                }
            }

            if (!await InsertPrincipalAsync(connection, tx, principal, ct))
            {
                return StoreOutcome.AlreadyExists;
            }

            await UpsertIamEntityAsync(connection, tx, entity, ct);
            foreach (var tag in tags)
            {
                await UpsertPrincipalTagAsync(connection, tx, principal.Arn, tag, ct);
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IamEntity?> FindIamEntityAsync(string accountId, PrincipalType type, string name, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"{IamEntitySelect} WHERE p.account_id = $a AND p.type = $t AND p.name = $n COLLATE NOCASE;");
        command.Parameters.AddWithValue("$a", accountId);
        command.Parameters.AddWithValue("$t", (int)type);
        command.Parameters.AddWithValue("$n", name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadIamEntity(reader) : null;
    }

    public async Task<IReadOnlyList<IamEntity>> ListIamEntitiesAsync(string accountId, PrincipalType type, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"{IamEntitySelect} WHERE p.account_id = $a AND p.type = $t ORDER BY p.name;");
        command.Parameters.AddWithValue("$a", accountId);
        command.Parameters.AddWithValue("$t", (int)type);
        return await ReadAllAsync(command, ReadIamEntity, ct);
    }

    public Task<StoreOutcome> UpdateIamEntityAsync(IamEntity entity, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            if (!await PrincipalExistsAsync(connection, tx, entity.Principal.Arn, ct))
            {
                return StoreOutcome.NotFound;
            }

            await UpsertIamEntityAsync(connection, tx, entity, ct);
            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<Tag>> ListPrincipalTagsAsync(string principalArn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT tag_key, tag_value FROM principal_tags WHERE principal_arn = $arn ORDER BY tag_key;");
        command.Parameters.AddWithValue("$arn", principalArn);
        return await ReadAllAsync(command, r => new Tag(r.GetString(0), r.GetString(1)), ct);
    }

    public Task<StoreOutcome> ChangePrincipalTagsAsync(string principalArn, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, int limit, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            if (!await PrincipalExistsAsync(connection, tx, principalArn, ct))
            {
                return StoreOutcome.NotFound;
            }

            foreach (var tag in upsert)
            {
                await UpsertPrincipalTagAsync(connection, tx, principalArn, tag, ct);
            }

            foreach (var key in remove)
            {
                await using var command = Command(connection, tx, "DELETE FROM principal_tags WHERE principal_arn = $arn AND tag_key = $k;");
                command.Parameters.AddWithValue("$arn", principalArn);
                command.Parameters.AddWithValue("$k", key);
                await command.ExecuteNonQueryAsync(ct);
            }

            if (await CountAsync(connection, tx, "SELECT COUNT(*) FROM principal_tags WHERE principal_arn = $arn;", principalArn, ct) > limit)
            {
                return StoreOutcome.LimitExceeded;
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> CreateAccessKeyAsync(AccessKeyRecord accessKey, int limit, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            if (!await PrincipalExistsAsync(connection, tx, accessKey.PrincipalArn, ct))
            {
                return StoreOutcome.NotFound;
            }

            if (await CountAsync(connection, tx, "SELECT COUNT(*) FROM access_keys WHERE principal_arn = $arn;", accessKey.PrincipalArn, ct) >= limit)
            {
                return StoreOutcome.LimitExceeded;
            }

            await using (var command = Command(connection, tx, """
                INSERT OR IGNORE INTO access_keys (access_key_id, account_id, principal_arn, principal_type, principal_id, sealed_secret, created_at, status)
                VALUES ($id, $account, $arn, $type, $pid, $secret, $created, 1);
                """))
            {
                command.Parameters.AddWithValue("$id", accessKey.AccessKeyId);
                command.Parameters.AddWithValue("$account", accessKey.AccountId);
                command.Parameters.AddWithValue("$arn", accessKey.PrincipalArn);
                command.Parameters.AddWithValue("$type", (int)accessKey.PrincipalType);
                command.Parameters.AddWithValue("$pid", accessKey.PrincipalId);
                command.Parameters.AddWithValue("$secret", accessKey.SealedSecret);
                command.Parameters.AddWithValue("$created", ToUnixMs(accessKey.CreatedAt));
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.AlreadyExists;
                }
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<AccessKeyMetadata>> ListAccessKeyMetadataAsync(string principalArn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT access_key_id, status, created_at FROM access_keys WHERE principal_arn = $arn ORDER BY created_at, access_key_id;");
        command.Parameters.AddWithValue("$arn", principalArn);
        return await ReadAllAsync(command, r => new AccessKeyMetadata(r.GetString(0), (AccessKeyStatus)r.GetInt32(1), FromUnixMs(r.GetInt64(2))), ct);
    }

    public Task<StoreOutcome> SetAccessKeyStatusAsync(string principalArn, string accessKeyId, AccessKeyStatus status, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using (var command = Command(connection, tx, "UPDATE access_keys SET status = $s WHERE access_key_id = $id AND principal_arn = $arn;"))
            {
                command.Parameters.AddWithValue("$s", (int)status);
                command.Parameters.AddWithValue("$id", accessKeyId);
                command.Parameters.AddWithValue("$arn", principalArn);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    private static async Task<bool> PrincipalExistsAsync(SqliteConnection connection, SqliteTransaction tx, string arn, CancellationToken ct)
    {
        await using var exists = Command(connection, tx, "SELECT 1 FROM principals WHERE arn = $arn;");
        exists.Parameters.AddWithValue("$arn", arn);
        return await exists.ExecuteScalarAsync(ct) is not null;
    }

    private static async Task<long> CountAsync(SqliteConnection connection, SqliteTransaction tx, string sql, string arn, CancellationToken ct)
    {
        await using var count = Command(connection, tx, sql);
        count.Parameters.AddWithValue("$arn", arn);
        return await count.ExecuteScalarAsync(ct) is long n ? n : 0;
    }

    private static async Task UpsertIamEntityAsync(SqliteConnection connection, SqliteTransaction tx, IamEntity entity, CancellationToken ct)
    {
        // The trust policy and maximum session duration are the role's own columns (IRoleStore, STS reads them there).
        await using var command = Command(connection, tx, """
            INSERT INTO iam_entities (arn, path, description) VALUES ($arn, $p, $d)
            ON CONFLICT (arn) DO UPDATE SET path = $p, description = $d;
            UPDATE principals SET trust_policy = $t, max_session_duration = $m WHERE arn = $arn;
            """);
        command.Parameters.AddWithValue("$arn", entity.Principal.Arn);
        command.Parameters.AddWithValue("$p", entity.Path);
        command.Parameters.AddWithValue("$d", (object?)entity.Description ?? DBNull.Value);
        command.Parameters.AddWithValue("$t", (object?)entity.AssumeRolePolicyDocument ?? DBNull.Value);
        command.Parameters.AddWithValue("$m", entity.MaxSessionDuration);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task UpsertPrincipalTagAsync(SqliteConnection connection, SqliteTransaction tx, string arn, Tag tag, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT INTO principal_tags (principal_arn, tag_key, tag_value) VALUES ($arn, $k, $v)
            ON CONFLICT (principal_arn, tag_key) DO UPDATE SET tag_value = $v;
            """);
        command.Parameters.AddWithValue("$arn", arn);
        command.Parameters.AddWithValue("$k", tag.Key);
        command.Parameters.AddWithValue("$v", tag.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static IamEntity ReadIamEntity(SqliteDataReader r) => new(
        ReadPrincipal(r),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.GetInt32(9));
}
