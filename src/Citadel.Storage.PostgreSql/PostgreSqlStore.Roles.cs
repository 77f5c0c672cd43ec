using Citadel.Core.Identity;

namespace Citadel.Storage.PostgreSql;

internal sealed partial class PostgreSqlStore : IRoleStore
{
    public async Task<RoleSettings?> GetRoleSettingsAsync(string roleArn, CancellationToken ct)
    {
        await using var command = ReadCommand($"SELECT {RoleRows.Columns} FROM principals WHERE arn = @arn AND type = @t;");
        command.Parameters.AddWithValue("arn", roleArn);
        command.Parameters.AddWithValue("t", (int)PrincipalType.AssumedRole);
        var rows = await ReadAllAsync(command, r => RoleRows.Read(r, roleArn), ct);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<StoreOutcome> PutRoleSettingsAsync(string roleArn, string? trustPolicy, int? maxSessionDurationSeconds, CancellationToken ct) =>
        WriteAsync(async (connection, tx, changes) =>
        {
            await using (var command = Command(connection, tx, """
                UPDATE principals SET trust_policy = coalesce(@p, trust_policy), max_session_duration = coalesce(@d, max_session_duration)
                WHERE arn = @arn AND type = @t;
                """))
            {
                command.Parameters.AddWithValue("arn", roleArn);
                command.Parameters.AddWithValue("t", (int)PrincipalType.AssumedRole);
                command.Parameters.Add(new Npgsql.NpgsqlParameter<string?>("p", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = trustPolicy });
                command.Parameters.Add(new Npgsql.NpgsqlParameter<int?>("d", NpgsqlTypes.NpgsqlDbType.Integer) { TypedValue = maxSessionDurationSeconds });
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);
}
