using System.Data;
using System.Data.Common;
using Citadel.Core.Identity;
using Citadel.Core.Keys;

namespace Citadel.Storage.Sql;

/// <summary>
/// The IAM API's additions (<see cref="IIamEntityStore"/>). A write that checks before it inserts (a name free in
/// the account, a principal under its access key or tag limit) first takes <see cref="LockForCheckAsync"/> on what it
/// checks, so two writers cannot both pass the check.
/// </summary>
internal abstract partial class SqlStore
{
    private const string IamEntitySelect = """
        SELECT p.arn, p.account_id, p.type, p.name, p.principal_id, p.created_at,
               coalesce(e.path, '/'), e.description, p.trust_policy, coalesce(p.max_session_duration, 3600)
        FROM principals p LEFT JOIN iam_entities e ON e.arn = p.arn
        """;

    public Task<StoreOutcome> CreateIamEntityAsync(IamEntity entity, IReadOnlyList<Tag> tags, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            var principal = entity.Principal;
            await LockForCheckAsync(connection, tx, principal.AccountId, ct);
            if (!await ExistsAsync(connection, tx, "SELECT 1 FROM accounts WHERE account_id = @id;", principal.AccountId, ct))
            {
                return StoreOutcome.NotFound;
            }

            await using (var taken = Command(connection, tx, "SELECT 1 FROM principals WHERE account_id = @a AND type = @t AND lower(name) = lower(@n);"))
            {
                Add(taken, "a", principal.AccountId);
                Add(taken, "t", (int)principal.Type);
                Add(taken, "n", principal.Name);
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

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IamEntity?> FindIamEntityAsync(string accountId, PrincipalType type, string name, CancellationToken ct)
    {
        var rows = await QueryAsync(
            $"{IamEntitySelect} WHERE p.account_id = @a AND p.type = @t AND lower(p.name) = lower(@n);",
            command =>
            {
                Add(command, "a", accountId);
                Add(command, "t", (int)type);
                Add(command, "n", name);
            },
            ReadIamEntity,
            ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<IamEntity>> ListIamEntitiesAsync(string accountId, PrincipalType type, CancellationToken ct) =>
        await QueryAsync(
            $"{IamEntitySelect} WHERE p.account_id = @a AND p.type = @t ORDER BY p.name{BytewiseCollation};",
            command =>
            {
                Add(command, "a", accountId);
                Add(command, "t", (int)type);
            },
            ReadIamEntity,
            ct);

    public Task<StoreOutcome> UpdateIamEntityAsync(IamEntity entity, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await ExistsAsync(connection, tx, "SELECT 1 FROM principals WHERE arn = @id;", entity.Principal.Arn, ct))
            {
                return StoreOutcome.NotFound;
            }

            await UpsertIamEntityAsync(connection, tx, entity, ct);
            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<Tag>> ListPrincipalTagsAsync(string principalArn, CancellationToken ct) =>
        await QueryAsync(
            $"SELECT tag_key, tag_value FROM principal_tags WHERE principal_arn = @arn ORDER BY tag_key{BytewiseCollation};",
            command => Add(command, "arn", principalArn),
            r => new Tag(r.GetString(0), r.GetString(1)),
            ct);

    public Task<StoreOutcome> ChangePrincipalTagsAsync(string principalArn, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, int limit, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await LockForCheckAsync(connection, tx, principalArn, ct);
            if (!await ExistsAsync(connection, tx, "SELECT 1 FROM principals WHERE arn = @id;", principalArn, ct))
            {
                return StoreOutcome.NotFound;
            }

            foreach (var tag in upsert)
            {
                await UpsertPrincipalTagAsync(connection, tx, principalArn, tag, ct);
            }

            foreach (var key in remove)
            {
                await using var command = Command(connection, tx, "DELETE FROM principal_tags WHERE principal_arn = @arn AND tag_key = @k;");
                Add(command, "arn", principalArn);
                Add(command, "k", key);
                await command.ExecuteNonQueryAsync(ct);
            }

            if (await CountByPrincipalAsync(connection, tx, "principal_tags", principalArn, ct) > limit)
            {
                return StoreOutcome.LimitExceeded;
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> CreateAccessKeyAsync(AccessKeyRecord accessKey, int limit, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await LockForCheckAsync(connection, tx, accessKey.PrincipalArn, ct);
            if (!await ExistsAsync(connection, tx, "SELECT 1 FROM principals WHERE arn = @id;", accessKey.PrincipalArn, ct))
            {
                return StoreOutcome.NotFound;
            }

            if (await CountByPrincipalAsync(connection, tx, "access_keys", accessKey.PrincipalArn, ct) >= limit)
            {
                return StoreOutcome.LimitExceeded;
            }

            await using (var command = Command(connection, tx, $"""
                INSERT INTO access_keys ({AccessKeyColumns}, status)
                VALUES (@id, @account, @arn, @type, @pid, @secret, @created, 1)
                ON CONFLICT (access_key_id) DO NOTHING;
                """))
            {
                BindAccessKey(command, accessKey);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.AlreadyExists;
                }
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<AccessKeyMetadata>> ListAccessKeyMetadataAsync(string principalArn, CancellationToken ct) =>
        await QueryAsync(
            $"SELECT access_key_id, status, created_at FROM access_keys WHERE principal_arn = @arn ORDER BY created_at, access_key_id{BytewiseCollation};",
            command => Add(command, "arn", principalArn),
            r => new AccessKeyMetadata(r.GetString(0), (AccessKeyStatus)r.GetInt32(1), GetTime(r, 2)),
            ct);

    public Task<StoreOutcome> SetAccessKeyStatusAsync(string principalArn, string accessKeyId, AccessKeyStatus status, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, "UPDATE access_keys SET status = @s WHERE access_key_id = @id AND principal_arn = @arn;"))
            {
                Add(command, "s", (int)status);
                Add(command, "id", accessKeyId);
                Add(command, "arn", principalArn);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    private async Task<long> CountByPrincipalAsync(DbConnection connection, DbTransaction tx, string table, string principalArn, CancellationToken ct)
    {
        await using var count = Command(connection, tx, $"SELECT count(*) FROM {table} WHERE principal_arn = @arn;");
        Add(count, "arn", principalArn);
        return Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task UpsertIamEntityAsync(DbConnection connection, DbTransaction tx, IamEntity entity, CancellationToken ct)
    {
        await using (var command = Command(connection, tx, """
            INSERT INTO iam_entities (arn, path, description) VALUES (@arn, @p, @d)
            ON CONFLICT (arn) DO UPDATE SET path = excluded.path, description = excluded.description;
            """))
        {
            Add(command, "arn", entity.Principal.Arn);
            Add(command, "p", entity.Path);
            Add(command, "d", entity.Description, DbType.String);
            await command.ExecuteNonQueryAsync(ct);
        }

        // The trust policy and maximum session duration are the role's own columns (IRoleStore, STS reads them there).
        await using (var command = Command(connection, tx, "UPDATE principals SET trust_policy = @t, max_session_duration = @m WHERE arn = @arn;"))
        {
            Add(command, "arn", entity.Principal.Arn);
            Add(command, "t", entity.AssumeRolePolicyDocument, DbType.String);
            Add(command, "m", entity.MaxSessionDuration);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private async Task UpsertPrincipalTagAsync(DbConnection connection, DbTransaction tx, string arn, Tag tag, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT INTO principal_tags (principal_arn, tag_key, tag_value) VALUES (@arn, @k, @v)
            ON CONFLICT (principal_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value;
            """);
        Add(command, "arn", arn);
        Add(command, "k", tag.Key);
        Add(command, "v", tag.Value);
        await command.ExecuteNonQueryAsync(ct);
    }

    private IamEntity ReadIamEntity(DbDataReader r) => new(
        ReadPrincipal(r),
        r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.GetInt32(9));
}
