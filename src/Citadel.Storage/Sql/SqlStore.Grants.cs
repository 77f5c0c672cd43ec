using System.Data;
using System.Data.Common;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.Sql;

/// <summary>Grants on keys.</summary>
internal abstract partial class SqlStore
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
            Add(command, "id", grant.GrantId);
            Add(command, "key", grant.KeyId.StoreKey);
            Add(command, "name", grant.Name);
            Add(command, "grantee", grant.GranteePrincipal);
            Add(command, "retiring", grant.RetiringPrincipal, DbType.String);
            Add(command, "issuer", grant.IssuingAccount);
            AddStringList(command, "ops", grant.Operations);
            AddJson(command, "constraints", GrantConstraintsCodec.Encode(grant.Constraints));
            AddTime(command, "created", grant.CreatedAt);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.AlreadyExists;
            }

            changes.Add(StoreChange.GrantsChanged(grant.KeyId));
            return StoreOutcome.Success;
        }, ct);

    public async Task<IReadOnlyList<GrantRecord>> ListGrantsAsync(KeyId key, CancellationToken ct) =>
        await QueryAsync($"SELECT {GrantColumns} FROM grants WHERE key_id = @key ORDER BY created_at, grant_id;", command => Add(command, "key", key.StoreKey), ReadGrant, ct);

    public async Task<IReadOnlyList<GrantRecord>> ListGrantsByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken ct) =>
        await QueryAsync($"SELECT {GrantColumns} FROM grants WHERE retiring_principal = @p ORDER BY created_at, grant_id;", command => Add(command, "p", retiringPrincipal), ReadGrant, ct);

    public Task<StoreOutcome> DeleteGrantAsync(KeyId key, string grantId, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM grants WHERE key_id = @key AND grant_id = @id;");
            Add(command, "key", key.StoreKey);
            Add(command, "id", grantId);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.NotFound;
            }

            changes.Add(StoreChange.GrantsChanged(key));
            return StoreOutcome.Success;
        }, ct);

    private GrantRecord ReadGrant(DbDataReader r) => new(
        r.GetString(0),
        KeyId.ParseStoreKey(r.GetString(1)),
        r.GetString(2),
        r.GetString(3),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.GetString(5),
        GetStringList(r, 6),
        r.IsDBNull(7) ? null : GrantConstraintsCodec.Decode(r.GetString(7)),
        GetTime(r, 8));
}
