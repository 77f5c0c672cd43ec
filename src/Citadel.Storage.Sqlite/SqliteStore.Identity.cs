using Citadel.Core.Identity;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    public async Task<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string? principalArn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, """
            SELECT access_key_id, account_id, principal_arn, principal_type, principal_id, sealed_secret, created_at
            FROM access_keys WHERE $arn IS NULL OR principal_arn = $arn ORDER BY access_key_id;
            """);
        command.Parameters.AddWithValue("$arn", (object?)principalArn ?? DBNull.Value);
        return await ReadAllAsync(command, reader => new AccessKeyRecord(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            (PrincipalType)reader.GetInt32(3),
            reader.GetString(4),
            (byte[])reader.GetValue(5),
            FromUnixMs(reader.GetInt64(6))), ct);
    }

    public Task<StoreOutcome> DeleteAccessKeyAsync(string accessKeyId, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM access_keys WHERE access_key_id = $id;");
            command.Parameters.AddWithValue("$id", accessKeyId);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.NotFound;
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> CreateAccountAsync(string accountId, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using (var command = Command(connection, tx, "INSERT OR IGNORE INTO accounts (account_id, created_at) VALUES ($a, $c);"))
            {
                command.Parameters.AddWithValue("$a", accountId);
                command.Parameters.AddWithValue("$c", ToUnixMs(now));
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.AlreadyExists;
                }
            }

            await InsertPrincipalAsync(connection, tx, new PrincipalRecord($"arn:aws:iam::{accountId}:root", accountId, PrincipalType.Root, "root", accountId, now), ct);
            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT account_id FROM accounts ORDER BY account_id;");
        return await ReadAllAsync(command, reader => reader.GetString(0), ct);
    }

    public Task<StoreOutcome> CreatePrincipalAsync(PrincipalRecord principal, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            // Integrated services belong to no account (their AccountId is empty).
            if (principal.Type != PrincipalType.Service)
            {
                await using var exists = Command(connection, tx, "SELECT 1 FROM accounts WHERE account_id = $a;");
                exists.Parameters.AddWithValue("$a", principal.AccountId);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    return StoreOutcome.NotFound;
                }
            }

            if (!await InsertPrincipalAsync(connection, tx, principal, ct))
            {
                return StoreOutcome.AlreadyExists;
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<PrincipalRecord?> GetPrincipalAsync(string arn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT arn, account_id, type, name, principal_id, created_at FROM principals WHERE arn = $arn;");
        command.Parameters.AddWithValue("$arn", arn);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadPrincipal(reader) : null;
    }

    public async Task<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(string accountId, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT arn, account_id, type, name, principal_id, created_at FROM principals WHERE account_id = $a ORDER BY arn;");
        command.Parameters.AddWithValue("$a", accountId);
        return await ReadAllAsync(command, ReadPrincipal, ct);
    }

    public Task<StoreOutcome> DeletePrincipalAsync(string arn, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using (var command = Command(connection, tx, "DELETE FROM principals WHERE arn = $arn AND type <> $root;"))
            {
                command.Parameters.AddWithValue("$arn", arn);
                command.Parameters.AddWithValue("$root", (int)PrincipalType.Root);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            foreach (var sql in DeletePrincipalChildren)
            {
                await using var command = Command(connection, tx, sql);
                command.Parameters.AddWithValue("$arn", arn);
                await command.ExecuteNonQueryAsync(ct);
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> PutIdentityPolicyAsync(IdentityPolicyRecord policy, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using (var exists = Command(connection, tx, "SELECT 1 FROM principals WHERE arn = $arn;"))
            {
                exists.Parameters.AddWithValue("$arn", policy.PrincipalArn);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await using (var command = Command(connection, tx, """
                INSERT INTO identity_policies (principal_arn, name, document) VALUES ($arn, $n, $d)
                ON CONFLICT (principal_arn, name) DO UPDATE SET document = $d;
                """))
            {
                command.Parameters.AddWithValue("$arn", policy.PrincipalArn);
                command.Parameters.AddWithValue("$n", policy.Name);
                command.Parameters.AddWithValue("$d", policy.Document);
                await command.ExecuteNonQueryAsync(ct);
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> DeleteIdentityPolicyAsync(string principalArn, string name, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM identity_policies WHERE principal_arn = $arn AND name = $n;");
            command.Parameters.AddWithValue("$arn", principalArn);
            command.Parameters.AddWithValue("$n", name);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.NotFound;
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<IdentityPolicyRecord>> ListIdentityPoliciesAsync(string principalArn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT principal_arn, name, document FROM identity_policies WHERE principal_arn = $arn ORDER BY name;");
        command.Parameters.AddWithValue("$arn", principalArn);
        return await ReadAllAsync(command, reader => new IdentityPolicyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2)), ct);
    }

    public async Task<long> GetIdentityVersionAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, "SELECT version FROM identity_version WHERE id = 1;");
        return await command.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    private static readonly string[] DeletePrincipalChildren =
    [
        "DELETE FROM access_keys WHERE principal_arn = $arn;",
        "DELETE FROM identity_policies WHERE principal_arn = $arn;",
    ];

    private static async Task<bool> InsertPrincipalAsync(SqliteConnection connection, SqliteTransaction tx, PrincipalRecord principal, CancellationToken ct)
    {
        await using var command = Command(connection, tx, """
            INSERT OR IGNORE INTO principals (arn, account_id, type, name, principal_id, created_at) VALUES ($arn, $a, $t, $n, $p, $c);
            """);
        command.Parameters.AddWithValue("$arn", principal.Arn);
        command.Parameters.AddWithValue("$a", principal.AccountId);
        command.Parameters.AddWithValue("$t", (int)principal.Type);
        command.Parameters.AddWithValue("$n", principal.Name);
        command.Parameters.AddWithValue("$p", principal.PrincipalId);
        command.Parameters.AddWithValue("$c", ToUnixMs(principal.CreatedAt));
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    private static async Task BumpIdentityVersionAsync(SqliteConnection connection, SqliteTransaction tx, CancellationToken ct) =>
        await ExecuteAsync(connection, tx, "UPDATE identity_version SET version = version + 1 WHERE id = 1;", ct);

    private static PrincipalRecord ReadPrincipal(SqliteDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        (PrincipalType)r.GetInt32(2),
        r.GetString(3),
        r.GetString(4),
        FromUnixMs(r.GetInt64(5)));
}
