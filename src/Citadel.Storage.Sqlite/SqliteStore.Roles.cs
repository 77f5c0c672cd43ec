using Citadel.Core.Identity;

namespace Citadel.Storage.Sqlite;

internal sealed partial class SqliteStore : IRoleStore
{
    public async Task<RoleSettings?> GetRoleSettingsAsync(string roleArn, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null, $"SELECT {RoleRows.Columns} FROM principals WHERE arn = $arn AND type = $t;");
        command.Parameters.AddWithValue("$arn", roleArn);
        command.Parameters.AddWithValue("$t", (int)PrincipalType.AssumedRole);
        var rows = await ReadAllAsync(command, r => RoleRows.Read(r, roleArn), ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<StoreOutcome> PutRoleSettingsAsync(string roleArn, string? trustPolicy, int? maxSessionDurationSeconds, CancellationToken ct) =>
        WriteAsync(async (connection, tx) =>
        {
            await using var command = Command(connection, tx, """
                UPDATE principals SET trust_policy = coalesce($p, trust_policy), max_session_duration = coalesce($d, max_session_duration)
                WHERE arn = $arn AND type = $t;
                """);
            command.Parameters.AddWithValue("$arn", roleArn);
            command.Parameters.AddWithValue("$t", (int)PrincipalType.AssumedRole);
            command.Parameters.AddWithValue("$p", (object?)trustPolicy ?? DBNull.Value);
            command.Parameters.AddWithValue("$d", (object?)maxSessionDurationSeconds ?? DBNull.Value);
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return StoreOutcome.NotFound;
            }

            await BumpIdentityVersionAsync(connection, tx, ct);
            return StoreOutcome.Success;
        }, ct);
}
