using System.Data;
using System.Data.Common;
using Citadel.Core.CustomKeyStores;
using Citadel.Core.Keys;

namespace Citadel.Storage.Sql;

/// <summary>Custom key stores and the bindings of keys in external key stores (<see cref="ICustomKeyStoreStore"/>).</summary>
internal abstract partial class SqlStore
{
    private const string StoreColumns = """
        store_id, account_id, region, name, created_at, type, state, error_code, connectivity, uri_endpoint, uri_path,
        vpc_service_name, vpc_service_owner, access_key_id, sealed_secret, row_version
        """;

    public async Task<CustomKeyStoreRecord?> GetCustomKeyStoreAsync(string id, CancellationToken ct)
    {
        var rows = await QueryAsync($"SELECT {StoreColumns} FROM custom_key_stores WHERE store_id = @id;", command => Add(command, "id", id), ReadCustomKeyStore, ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<CustomKeyStoreRecord>> ListCustomKeyStoresAsync(string accountId, string region, CancellationToken ct) =>
        await QueryAsync(
            $"SELECT {StoreColumns} FROM custom_key_stores WHERE account_id = @account AND region = @region ORDER BY store_id {BytewiseCollation};",
            command =>
            {
                Add(command, "account", accountId);
                Add(command, "region", region);
            },
            ReadCustomKeyStore,
            ct);

    public Task<StoreOutcome> CreateCustomKeyStoreAsync(CustomKeyStoreRecord store, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using var command = Command(connection, tx, $"""
                INSERT INTO custom_key_stores ({StoreColumns})
                VALUES (@store_id, @account_id, @region, @name, @created_at, @type, @state, @error_code, @connectivity, @uri_endpoint, @uri_path,
                    @vpc_service_name, @vpc_service_owner, @access_key_id, @sealed_secret, 1);
                """);
            BindCustomKeyStore(command, store);
            await command.ExecuteNonQueryAsync(ct);
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> UpdateCustomKeyStoreAsync(CustomKeyStoreRecord store, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using var command = Command(connection, tx, """
                UPDATE custom_key_stores SET name = @name, state = @state, error_code = @error_code, connectivity = @connectivity,
                    uri_endpoint = @uri_endpoint, uri_path = @uri_path, vpc_service_name = @vpc_service_name,
                    vpc_service_owner = @vpc_service_owner, access_key_id = @access_key_id, sealed_secret = @sealed_secret,
                    row_version = row_version + 1
                WHERE store_id = @store_id AND row_version = @row_version AND account_id = @account_id AND region = @region
                    AND created_at = @created_at AND type = @type;
                """);
            BindCustomKeyStore(command, store);
            Add(command, "row_version", store.RowVersion);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return await CustomKeyStoreExistsAsync(connection, tx, store.Id, ct) ? StoreOutcome.VersionConflict : StoreOutcome.NotFound;
            }

            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> DeleteCustomKeyStoreAsync(string id, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var used = Command(connection, tx, "SELECT 1 FROM xks_keys WHERE store_id = @id LIMIT 1;"))
            {
                Add(used, "id", id);
                if (await used.ExecuteScalarAsync(ct) is not null)
                {
                    return StoreOutcome.InUse;
                }
            }

            await using var command = Command(connection, tx, "DELETE FROM custom_key_stores WHERE store_id = @id;");
            Add(command, "id", id);
            return NotFoundIfNone(await command.ExecuteNonQueryAsync(ct));
        }, ct);

    public Task<StoreOutcome> CreateExternalStoreKeyAsync(KeyRecord key, KeyMaterialRecord material, IReadOnlyList<Tag> tags, XksKeyBinding binding, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            var outcome = await InsertKeyAsync(connection, tx, changes, key, [material], tags, ct);
            if (outcome != StoreOutcome.Success)
            {
                return outcome;
            }

            // A taken XksKeyId (unique per store) is a unique violation: AlreadyExists, and the key is rolled back with it.
            await using var command = Command(connection, tx, "INSERT INTO xks_keys (key_id, store_id, xks_key_id) VALUES (@id, @store, @xks);");
            Add(command, "id", binding.KeyId.ToString());
            Add(command, "store", binding.CustomKeyStoreId);
            Add(command, "xks", binding.XksKeyId);
            await command.ExecuteNonQueryAsync(ct);
            return StoreOutcome.Success;
        }, ct);

    public async Task<XksKeyBinding?> GetXksKeyBindingAsync(KeyId keyId, CancellationToken ct)
    {
        var rows = await QueryAsync(
            "SELECT store_id, xks_key_id FROM xks_keys WHERE key_id = @id;",
            command => Add(command, "id", keyId.ToString()),
            r => new XksKeyBinding(keyId, r.GetString(0), r.GetString(1)),
            ct);
        return rows.Count == 0 ? null : rows[0];
    }

    private async Task<bool> CustomKeyStoreExistsAsync(DbConnection connection, DbTransaction tx, string id, CancellationToken ct)
    {
        await using var command = Command(connection, tx, "SELECT 1 FROM custom_key_stores WHERE store_id = @id;");
        Add(command, "id", id);
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    private void BindCustomKeyStore(DbCommand command, CustomKeyStoreRecord store)
    {
        Add(command, "store_id", store.Id);
        Add(command, "account_id", store.AccountId);
        Add(command, "region", store.Region);
        Add(command, "name", store.Name);
        AddTime(command, "created_at", store.CreatedAt);
        Add(command, "type", (int)store.Type);
        Add(command, "state", (int)store.State);
        Add(command, "error_code", (int?)store.ErrorCode, DbType.Int32);
        Add(command, "connectivity", (int)store.Connectivity);
        Add(command, "uri_endpoint", store.UriEndpoint);
        Add(command, "uri_path", store.UriPath);
        Add(command, "vpc_service_name", store.VpcEndpointServiceName, DbType.String);
        Add(command, "vpc_service_owner", store.VpcEndpointServiceOwner, DbType.String);
        Add(command, "access_key_id", store.AccessKeyId);
        Add(command, "sealed_secret", store.SealedSecret);
    }

    private CustomKeyStoreRecord ReadCustomKeyStore(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        AccountId = r.GetString(1),
        Region = r.GetString(2),
        Name = r.GetString(3),
        CreatedAt = GetTime(r, 4),
        Type = (CustomKeyStoreType)r.GetInt32(5),
        State = (KeyStoreConnectionState)r.GetInt32(6),
        ErrorCode = r.IsDBNull(7) ? null : (ConnectionErrorCode)r.GetInt32(7),
        Connectivity = (XksProxyConnectivity)r.GetInt32(8),
        UriEndpoint = r.GetString(9),
        UriPath = r.GetString(10),
        VpcEndpointServiceName = r.IsDBNull(11) ? null : r.GetString(11),
        VpcEndpointServiceOwner = r.IsDBNull(12) ? null : r.GetString(12),
        AccessKeyId = r.GetString(13),
        SealedSecret = r.GetFieldValue<byte[]>(14),
        RowVersion = r.GetInt64(15),
    };
}
