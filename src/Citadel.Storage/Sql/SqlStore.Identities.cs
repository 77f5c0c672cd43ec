using System.Data;
using System.Data.Common;
using Citadel.Core.Identity;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.Sql;

/// <summary>Accounts, principals, access keys and identity policies. Every change moves the identity version.</summary>
internal abstract partial class SqlStore
{
    private const string AccessKeyColumns = "access_key_id, account_id, principal_arn, principal_type, principal_id, sealed_secret, created_at";

    private const string PrincipalColumns = "arn, account_id, type, name, principal_id, created_at";

    private const string SelectAccessKeySql = $"SELECT {AccessKeyColumns} FROM access_keys WHERE access_key_id = @id AND status = 1;";

    /// <summary>What goes with a principal. PostgreSQL cascades identity policies too; access keys have no foreign key anywhere.</summary>
    private static readonly string[] DeletePrincipalChildren =
    [
        "DELETE FROM access_keys WHERE principal_arn = @arn;",
        "DELETE FROM identity_policies WHERE principal_arn = @arn;",
    ];

    // On the request path (SigV4, on a signing-key cache miss).
    public async Task<AccessKeyRecord?> FindAccessKeyAsync(string accessKeyId, CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, SelectAccessKeySql);
        Add(command, "id", accessKeyId);
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
                BindAccessKey(command, accessKey);
                await command.ExecuteNonQueryAsync(ct);
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
        }, ct);

    public async Task<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string? principalArn, CancellationToken ct) =>
        await QueryAsync($"SELECT {AccessKeyColumns} FROM access_keys WHERE @arn IS NULL OR principal_arn = @arn ORDER BY access_key_id;", command => Add(command, "arn", principalArn, DbType.String), ReadAccessKey, ct);

    public Task<StoreOutcome> DeleteAccessKeyAsync(string accessKeyId, CancellationToken ct) =>
        IdentityWriteAsync("DELETE FROM access_keys WHERE access_key_id = @id;", command => Add(command, "id", accessKeyId), ct);

    public Task<StoreOutcome> CreateAccountAsync(string accountId, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, "INSERT INTO accounts (account_id, created_at) VALUES (@a, @c) ON CONFLICT (account_id) DO NOTHING;"))
            {
                Add(command, "a", accountId);
                AddTime(command, "c", now);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.AlreadyExists;
                }
            }

            await InsertPrincipalAsync(connection, tx, new PrincipalRecord($"arn:aws:iam::{accountId}:root", accountId, PrincipalType.Root, "root", accountId, now), ct);
            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken ct) =>
        await QueryAsync("SELECT account_id FROM accounts ORDER BY account_id;", null, r => r.GetString(0), ct);

    public Task<StoreOutcome> CreatePrincipalAsync(PrincipalRecord principal, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            // Integrated services belong to no account (their AccountId is empty).
            if (principal.Type != PrincipalType.Service && !await ExistsAsync(connection, tx, "SELECT 1 FROM accounts WHERE account_id = @id;", principal.AccountId, ct))
            {
                return StoreOutcome.NotFound;
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
        var rows = await QueryAsync($"SELECT {PrincipalColumns} FROM principals WHERE arn = @arn;", command => Add(command, "arn", arn), ReadPrincipal, ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(string accountId, CancellationToken ct) =>
        await QueryAsync($"SELECT {PrincipalColumns} FROM principals WHERE account_id = @a ORDER BY arn;", command => Add(command, "a", accountId), ReadPrincipal, ct);

    public Task<StoreOutcome> DeletePrincipalAsync(string arn, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, "DELETE FROM principals WHERE arn = @arn AND type <> @root;"))
            {
                Add(command, "arn", arn);
                Add(command, "root", (int)PrincipalType.Root);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            foreach (var sql in DeletePrincipalChildren)
            {
                await using var command = Command(connection, tx, sql);
                Add(command, "arn", arn);
                await command.ExecuteNonQueryAsync(ct);
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> PutIdentityPolicyAsync(IdentityPolicyRecord policy, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await ExistsAsync(connection, tx, "SELECT 1 FROM principals WHERE arn = @id;", policy.PrincipalArn, ct))
            {
                return StoreOutcome.NotFound;
            }

            // PostgreSQL: a principal deleted between the check and the insert fails the foreign key, NotFound.
            await using (var command = Command(connection, tx, """
                INSERT INTO identity_policies (principal_arn, name, document) VALUES (@arn, @n, @d)
                ON CONFLICT (principal_arn, name) DO UPDATE SET document = excluded.document;
                """))
            {
                Add(command, "arn", policy.PrincipalArn);
                Add(command, "n", policy.Name);
                Add(command, "d", policy.Document);
                await command.ExecuteNonQueryAsync(ct);
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> DeleteIdentityPolicyAsync(string principalArn, string name, CancellationToken ct) =>
        IdentityWriteAsync("DELETE FROM identity_policies WHERE principal_arn = @arn AND name = @n;", command =>
        {
            Add(command, "arn", principalArn);
            Add(command, "n", name);
        }, ct);

    public async Task<IReadOnlyList<IdentityPolicyRecord>> ListIdentityPoliciesAsync(string principalArn, CancellationToken ct) =>
        await QueryAsync("SELECT principal_arn, name, document FROM identity_policies WHERE principal_arn = @arn ORDER BY name;", command => Add(command, "arn", principalArn), r => new IdentityPolicyRecord(r.GetString(0), r.GetString(1), r.GetString(2)), ct);

    public async Task<long> GetIdentityVersionAsync(CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, "SELECT version FROM identity_version WHERE id = 1;");
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    /// <summary>One identity statement that must touch a row (NotFound otherwise), and the identity version moved with it.</summary>
    protected Task<StoreOutcome> IdentityWriteAsync(string sql, Action<DbCommand> bind, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, sql))
            {
                bind(command);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);

    /// <summary>Moves the identity version (last in the transaction, so its row lock is held only until commit) and records the change.</summary>
    protected static async Task IdentitiesChangedAsync(DbConnection connection, DbTransaction tx, List<StoreChange> changes, CancellationToken ct)
    {
        await ExecuteAsync(connection, tx, "UPDATE identity_version SET version = version + 1 WHERE id = 1;", ct);
        changes.Add(StoreChange.Identities);
    }

    /// <summary>Whether <paramref name="sql"/>, given <c>@id</c>, finds a row.</summary>
    protected async Task<bool> ExistsAsync(DbConnection connection, DbTransaction tx, string sql, string id, CancellationToken ct)
    {
        await using var command = Command(connection, tx, sql);
        Add(command, "id", id);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>Binds @id, @account, @arn, @type, @pid, @secret and @created: the <see cref="AccessKeyColumns"/> of a row.</summary>
    private void BindAccessKey(DbCommand command, AccessKeyRecord accessKey)
    {
        Add(command, "id", accessKey.AccessKeyId);
        Add(command, "account", accessKey.AccountId);
        Add(command, "arn", accessKey.PrincipalArn);
        Add(command, "type", (int)accessKey.PrincipalType);
        Add(command, "pid", accessKey.PrincipalId);
        Add(command, "secret", accessKey.SealedSecret);
        AddTime(command, "created", accessKey.CreatedAt);
    }

    private async Task<bool> InsertPrincipalAsync(DbConnection connection, DbTransaction tx, PrincipalRecord principal, CancellationToken ct)
    {
        await using var command = Command(connection, tx, $"INSERT INTO principals ({PrincipalColumns}) VALUES (@arn, @a, @t, @n, @p, @c) ON CONFLICT (arn) DO NOTHING;");
        Add(command, "arn", principal.Arn);
        Add(command, "a", principal.AccountId);
        Add(command, "t", (int)principal.Type);
        Add(command, "n", principal.Name);
        Add(command, "p", principal.PrincipalId);
        AddTime(command, "c", principal.CreatedAt);
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    private AccessKeyRecord ReadAccessKey(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        (PrincipalType)r.GetInt32(3),
        r.GetString(4),
        r.GetFieldValue<byte[]>(5),
        GetTime(r, 6));

    private PrincipalRecord ReadPrincipal(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        (PrincipalType)r.GetInt32(2),
        r.GetString(3),
        r.GetString(4),
        GetTime(r, 5));
}
