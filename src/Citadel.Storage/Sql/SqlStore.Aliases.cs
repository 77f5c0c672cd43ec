using System.Data;
using System.Data.Common;
using Citadel.Core.Keys;
using Citadel.Storage.Cluster;

namespace Citadel.Storage.Sql;

/// <summary>Aliases: names of keys per account and region.</summary>
internal abstract partial class SqlStore
{
    private const string AliasColumns = "account_id, region, name, target_key_id, created_at, updated_at";

    public async Task<AliasRecord?> GetAliasAsync(string accountId, string region, string name, CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await using var command = Command(connection, null, $"SELECT {AliasColumns} FROM aliases WHERE account_id = @a AND region = @r AND name = @n;");
        BindAlias(command, accountId, region, name);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadAlias(reader) : null;
    }

    public Task<StoreOutcome> CreateAliasAsync(AliasRecord record, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await KeyExistsAsync(connection, tx, record.TargetKeyId, ct))
            {
                return StoreOutcome.NotFound;
            }

            // PostgreSQL: a key deleted between the check and the insert fails the foreign key, NotFound.
            await using var command = Command(connection, tx, $"""
                INSERT INTO aliases ({AliasColumns}) VALUES (@a, @r, @n, @k, @c, @u)
                ON CONFLICT (account_id, region, name) DO NOTHING;
                """);
            BindAlias(command, record.AccountId, record.Region, record.Name);
            Add(command, "k", record.TargetKeyId.StoreKey);
            AddTime(command, "c", record.CreatedAt);
            AddTime(command, "u", record.LastUpdatedAt);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.AlreadyExists;
            }

            changes.Add(StoreChange.AliasChanged(record.AccountId, record.Region, record.Name));
            return StoreOutcome.Success;
        }, ct);

    public Task<StoreOutcome> UpdateAliasAsync(string accountId, string region, string name, KeyId target, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            if (!await KeyExistsAsync(connection, tx, target, ct))
            {
                return StoreOutcome.NotFound;
            }

            await using var command = Command(connection, tx, "UPDATE aliases SET target_key_id = @k, updated_at = @u WHERE account_id = @a AND region = @r AND name = @n;");
            BindAlias(command, accountId, region, name);
            Add(command, "k", target.StoreKey);
            AddTime(command, "u", now);
            return await AliasChangedAsync(command, changes, accountId, region, name, ct);
        }, ct);

    public Task<StoreOutcome> DeleteAliasAsync(string accountId, string region, string name, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using var command = Command(connection, tx, "DELETE FROM aliases WHERE account_id = @a AND region = @r AND name = @n;");
            BindAlias(command, accountId, region, name);
            return await AliasChangedAsync(command, changes, accountId, region, name, ct);
        }, ct);

    public Task<Page<AliasRecord>> ListAliasesAsync(string accountId, string region, KeyId? key, int limit, string? after, CancellationToken ct) =>
        PagedAsync($"""
            SELECT {AliasColumns} FROM aliases
            WHERE account_id = @a AND region = @r AND name > @after AND (@k IS NULL OR target_key_id = @k)
            ORDER BY name LIMIT @limit;
            """, command =>
            {
                Add(command, "a", accountId);
                Add(command, "r", region);
                Add(command, "after", after ?? "");
                Add(command, "k", key?.StoreKey, DbType.String);
                Add(command, "limit", limit + 1);
            }, ReadAlias, limit, a => a.Name, ct);

    private static async Task<StoreOutcome> AliasChangedAsync(DbCommand command, List<StoreChange> changes, string accountId, string region, string name, CancellationToken ct)
    {
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            return StoreOutcome.NotFound;
        }

        changes.Add(StoreChange.AliasChanged(accountId, region, name));
        return StoreOutcome.Success;
    }

    private void BindAlias(DbCommand command, string accountId, string region, string name)
    {
        Add(command, "a", accountId);
        Add(command, "r", region);
        Add(command, "n", name);
    }

    private AliasRecord ReadAlias(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        KeyId.ParseStoreKey(r.GetString(3)),
        GetTime(r, 4),
        GetTime(r, 5));
}
