using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    private const string GrantColumns = "grant_id, key_id, name, grantee_principal, retiring_principal, issuing_account, operations, constraints, created_at";

    public Task<StoreOutcome> CreateGrantAsync(GrantRecord grant, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            if (!await KeyExistsAsync(connection, tx, grant.KeyId, ct))
            {
                return StoreOutcome.NotFound;
            }

            await using var command = Command(connection, tx, $"""
                INSERT OR IGNORE INTO grants ({GrantColumns}) VALUES ($id, $key, $name, $grantee, $retiring, $issuer, $ops, $constraints, $created);
                """);
            command.Parameters.AddWithValue("$id", grant.GrantId);
            command.Parameters.AddWithValue("$key", grant.KeyId.ToString());
            command.Parameters.AddWithValue("$name", grant.Name);
            command.Parameters.AddWithValue("$grantee", grant.GranteePrincipal);
            command.Parameters.AddWithValue("$retiring", (object?)grant.RetiringPrincipal ?? DBNull.Value);
            command.Parameters.AddWithValue("$issuer", grant.IssuingAccount);
            command.Parameters.AddWithValue("$ops", string.Join(',', grant.Operations));
            command.Parameters.AddWithValue("$constraints", (object?)GrantConstraintsCodec.Encode(grant.Constraints) ?? DBNull.Value);
            command.Parameters.AddWithValue("$created", ToUnixMs(grant.CreatedAt));
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.AlreadyExists : StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<GrantRecord>> ListGrantsAsync(KeyId key, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"SELECT {GrantColumns} FROM grants WHERE key_id = $key ORDER BY created_at, grant_id;");
        command.Parameters.AddWithValue("$key", key.ToString());
        return await ReadGrantsAsync(command, ct);
    }

    public async Task<IReadOnlyList<GrantRecord>> ListGrantsByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"SELECT {GrantColumns} FROM grants WHERE retiring_principal = $p ORDER BY created_at, grant_id;");
        command.Parameters.AddWithValue("$p", retiringPrincipal);
        return await ReadGrantsAsync(command, ct);
    }

    public Task<StoreOutcome> DeleteGrantAsync(KeyId key, string grantId, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM grants WHERE key_id = $key AND grant_id = $id;");
            command.Parameters.AddWithValue("$key", key.ToString());
            command.Parameters.AddWithValue("$id", grantId);
            return await command.ExecuteNonQueryAsync(ct) == 0 ? StoreOutcome.NotFound : StoreOutcome.Success;
        }, ct);

    private static async Task<IReadOnlyList<GrantRecord>> ReadGrantsAsync(SqliteCommand command, CancellationToken ct)
    {
        return await ReadAllAsync(command, reader => new GrantRecord(
            reader.GetString(0),
            new KeyId(Guid.ParseExact(reader.GetString(1), "D")),
            reader.GetString(2),
            reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetString(5),
            reader.GetString(6).Split(',', StringSplitOptions.RemoveEmptyEntries),
            reader.IsDBNull(7) ? null : GrantConstraintsCodec.Decode(reader.GetString(7)),
            FromUnixMs(reader.GetInt64(8))), ct);
    }
}
