using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;
using Npgsql;
using NpgsqlTypes;

namespace Citadel.Storage.PostgreSql;

internal sealed partial class PostgreSqlStore
{
    private const string GrantColumns = "grant_id, key_id, name, grantee_principal, retiring_principal, issuing_account, operations, constraints, created_at";

    public Task<StoreOutcome> CreateGrantAsync(GrantRecord grant, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await KeyExistsAsync(connection, tx, grant.KeyId, ct))
            {
                return StoreOutcome.NotFound;
            }

            await using var command = Command(connection, tx, $"""
                INSERT INTO grants ({GrantColumns}) VALUES (@id, @key, @name, @grantee, @retiring, @issuer, @ops, @constraints, @created)
                ON CONFLICT (key_id, grant_id) DO NOTHING;
                """);
            command.Parameters.AddWithValue("id", grant.GrantId);
            command.Parameters.AddWithValue("key", grant.KeyId.ToString());
            command.Parameters.AddWithValue("name", grant.Name);
            command.Parameters.AddWithValue("grantee", grant.GranteePrincipal);
            command.Parameters.Add(new NpgsqlParameter("retiring", NpgsqlDbType.Text) { Value = (object?)grant.RetiringPrincipal ?? DBNull.Value });
            command.Parameters.AddWithValue("issuer", grant.IssuingAccount);
            command.Parameters.AddWithValue("ops", grant.Operations.ToArray());
            command.Parameters.Add(new NpgsqlParameter("constraints", NpgsqlDbType.Jsonb) { Value = (object?)GrantConstraintsCodec.Encode(grant.Constraints) ?? DBNull.Value });
            command.Parameters.AddWithValue("created", Timestamp(grant.CreatedAt));
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.AlreadyExists;
            }

            changes.Add(StoreChange.GrantsChanged(grant.KeyId));
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<GrantRecord>> ListGrantsAsync(KeyId key, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {GrantColumns} FROM grants WHERE key_id = @key ORDER BY created_at, grant_id;");
        command.Parameters.AddWithValue("key", key.ToString());
        return await ReadAllAsync(command, ReadGrant, ct);
    }

    public async Task<IReadOnlyList<GrantRecord>> ListGrantsByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {GrantColumns} FROM grants WHERE retiring_principal = @p ORDER BY created_at, grant_id;");
        command.Parameters.AddWithValue("p", retiringPrincipal);
        return await ReadAllAsync(command, ReadGrant, ct);
    }

    public Task<StoreOutcome> DeleteGrantAsync(KeyId key, string grantId, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM grants WHERE key_id = @key AND grant_id = @id;");
            command.Parameters.AddWithValue("key", key.ToString());
            command.Parameters.AddWithValue("id", grantId);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.NotFound;
            }

            changes.Add(StoreChange.GrantsChanged(key));
            return StoreOutcome.Success;
        }, ct);

    private static GrantRecord ReadGrant(NpgsqlDataReader r) => new(
        r.GetString(0),
        new KeyId(Guid.ParseExact(r.GetString(1), "D")),
        r.GetString(2),
        r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.GetString(5),
        r.GetFieldValue<string[]>(6),
        r.IsDBNull(7) ? null : GrantConstraintsCodec.Decode(r.GetString(7)),
        r.GetFieldValue<DateTimeOffset>(8));
}
