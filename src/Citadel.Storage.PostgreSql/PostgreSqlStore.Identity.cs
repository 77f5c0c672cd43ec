using Citadel.Core.Identity;
using Citadel.Storage.Cluster;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    private const string AccessKeyColumns = "access_key_id, account_id, principal_arn, principal_type, principal_id, sealed_secret, created_at";

    private const string PrincipalColumns = "arn, account_id, type, name, principal_id, created_at";

    public async Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {AccessKeyColumns} FROM access_keys WHERE access_key_id = @id AND status = 1;");
        command.Parameters.AddWithValue("id", accessKeyId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadAccessKey(reader) : null;
    }

    public Task PutAccessKeyAsync(AccessKeyRecord accessKey, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, $"""
                INSERT INTO access_keys ({AccessKeyColumns}) VALUES (@id, @account, @arn, @type, @pid, @secret, @created)
                ON CONFLICT (access_key_id) DO UPDATE SET account_id = excluded.account_id, principal_arn = excluded.principal_arn,
                    principal_type = excluded.principal_type, principal_id = excluded.principal_id,
                    sealed_secret = excluded.sealed_secret, created_at = excluded.created_at;
                """))
            {
                command.Parameters.AddWithValue("id", accessKey.AccessKeyId);
                command.Parameters.AddWithValue("account", accessKey.AccountId);
                command.Parameters.AddWithValue("arn", accessKey.PrincipalArn);
                command.Parameters.AddWithValue("type", (int)accessKey.PrincipalType);
                command.Parameters.AddWithValue("pid", accessKey.PrincipalId);
                command.Parameters.AddWithValue("secret", accessKey.SealedSecret);
                command.Parameters.AddWithValue("created", Timestamp(accessKey.CreatedAt));
                await command.ExecuteNonQueryAsync(ct);
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
        }, ct);

    public async Task<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string? principalArn, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {AccessKeyColumns} FROM access_keys WHERE @arn::text IS NULL OR principal_arn = @arn::text ORDER BY access_key_id;");
        command.Parameters.Add(new NpgsqlParameter("arn", NpgsqlDbType.Text) { Value = (object?)principalArn ?? DBNull.Value });
        return await ReadAllAsync(command, ReadAccessKey, ct);
    }

    public Task<StoreOutcome> DeleteAccessKeyAsync(string accessKeyId, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, "DELETE FROM access_keys WHERE access_key_id = @id;"))
            {
                command.Parameters.AddWithValue("id", accessKeyId);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> CreateAccountAsync(string accountId, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, "INSERT INTO accounts (account_id, created_at) VALUES (@a, @c) ON CONFLICT (account_id) DO NOTHING;"))
            {
                command.Parameters.AddWithValue("a", accountId);
                command.Parameters.AddWithValue("c", Timestamp(now));
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.AlreadyExists;
                }
            }

            await InsertPrincipalAsync(connection, tx, new PrincipalRecord($"arn:aws:iam::{accountId}:root", accountId, PrincipalType.Root, "root", accountId, now), ct);
            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT account_id FROM accounts ORDER BY account_id;");
        return await ReadAllAsync(command, r => r.GetString(0), ct);
    }

    public Task<StoreOutcome> CreatePrincipalAsync(PrincipalRecord principal, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            // Integrated services belong to no account (their AccountId is empty).
            if (principal.Type != PrincipalType.Service)
            {
                await using var exists = Command(connection, tx, "SELECT 1 FROM accounts WHERE account_id = @a;");
                exists.Parameters.AddWithValue("a", principal.AccountId);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    return StoreOutcome.NotFound;
                }
            }

            if (!await InsertPrincipalAsync(connection, tx, principal, ct))
            {
                return StoreOutcome.AlreadyExists;
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<PrincipalRecord?> GetPrincipalAsync(string arn, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {PrincipalColumns} FROM principals WHERE arn = @arn;");
        command.Parameters.AddWithValue("arn", arn);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadPrincipal(reader) : null;
    }

    public async Task<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(string accountId, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {PrincipalColumns} FROM principals WHERE account_id = @a ORDER BY arn;");
        command.Parameters.AddWithValue("a", accountId);
        return await ReadAllAsync(command, ReadPrincipal, ct);
    }

    public Task<StoreOutcome> DeletePrincipalAsync(string arn, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            // Identity policies go with the principal (ON DELETE CASCADE); access keys have no foreign key.
            await using (var command = Command(connection, tx, "DELETE FROM principals WHERE arn = @arn AND type <> @root;"))
            {
                command.Parameters.AddWithValue("arn", arn);
                command.Parameters.AddWithValue("root", (int)PrincipalType.Root);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await using (var command = Command(connection, tx, "DELETE FROM access_keys WHERE principal_arn = @arn;"))
            {
                command.Parameters.AddWithValue("arn", arn);
                await command.ExecuteNonQueryAsync(ct);
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> PutIdentityPolicyAsync(IdentityPolicyRecord policy, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var exists = Command(connection, tx, "SELECT 1 FROM principals WHERE arn = @arn;"))
            {
                exists.Parameters.AddWithValue("arn", policy.PrincipalArn);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    return StoreOutcome.NotFound;
                }
            }

            // A principal deleted between the check and the insert fails the foreign key: NotFound.
            await using (var command = Command(connection, tx, """
                INSERT INTO identity_policies (principal_arn, name, document) VALUES (@arn, @n, @d)
                ON CONFLICT (principal_arn, name) DO UPDATE SET document = excluded.document;
                """))
            {
                command.Parameters.AddWithValue("arn", policy.PrincipalArn);
                command.Parameters.AddWithValue("n", policy.Name);
                command.Parameters.AddWithValue("d", policy.Document);
                await command.ExecuteNonQueryAsync(ct);
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> DeleteIdentityPolicyAsync(string principalArn, string name, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, "DELETE FROM identity_policies WHERE principal_arn = @arn AND name = @n;"))
            {
                command.Parameters.AddWithValue("arn", principalArn);
                command.Parameters.AddWithValue("n", name);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<IdentityPolicyRecord>> ListIdentityPoliciesAsync(string principalArn, CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT principal_arn, name, document FROM identity_policies WHERE principal_arn = @arn ORDER BY name;");
        command.Parameters.AddWithValue("arn", principalArn);
        return await ReadAllAsync(command, r => new IdentityPolicyRecord(r.GetString(0), r.GetString(1), r.GetString(2)), ct);
    }

    public async Task<long> GetIdentityVersionAsync(CancellationToken ct)
    {
        await using var command = ReadCommand("SELECT version FROM identity_version WHERE id = 1;");
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    private static async Task<bool> InsertPrincipalAsync(NpgsqlConnection connection, NpgsqlTransaction tx, PrincipalRecord principal, CancellationToken ct)
    {
        await using var command = Command(connection, tx, $"""
            INSERT INTO principals ({PrincipalColumns}) VALUES (@arn, @a, @t, @n, @p, @c) ON CONFLICT (arn) DO NOTHING;
            """);
        command.Parameters.AddWithValue("arn", principal.Arn);
        command.Parameters.AddWithValue("a", principal.AccountId);
        command.Parameters.AddWithValue("t", (int)principal.Type);
        command.Parameters.AddWithValue("n", principal.Name);
        command.Parameters.AddWithValue("p", principal.PrincipalId);
        command.Parameters.AddWithValue("c", Timestamp(principal.CreatedAt));
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>Moves the identity version (last in the transaction, so its row lock is held only until commit) and records the change.</summary>
    private static async Task IdentitiesChangedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<StoreChange> changes, CancellationToken ct)
    {
        await ExecuteAsync(connection, tx, "UPDATE identity_version SET version = version + 1 WHERE id = 1;", ct);
        changes.Add(StoreChange.Identities);
    }

    private static AccessKeyRecord ReadAccessKey(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        (PrincipalType)r.GetInt32(3),
        r.GetString(4),
        r.GetFieldValue<byte[]>(5),
        r.GetFieldValue<DateTimeOffset>(6));

    private static PrincipalRecord ReadPrincipal(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        (PrincipalType)r.GetInt32(2),
        r.GetString(3),
        r.GetString(4),
        r.GetFieldValue<DateTimeOffset>(5));
}
