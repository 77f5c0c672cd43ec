using System.Data;
using Citadel.Core.Identity;

namespace Citadel.Storage.Sql;

/// <summary>A role's trust policy and maximum session duration (<see cref="IRoleStore"/>): columns of its principals row.</summary>
internal abstract partial class SqlStore
{
    public async Task<RoleSettings?> GetRoleSettingsAsync(string roleArn, CancellationToken ct)
    {
        var rows = await QueryAsync(
            $"SELECT {RoleRows.Columns} FROM principals WHERE arn = @arn AND type = @t;",
            command =>
            {
                Add(command, "arn", roleArn);
                Add(command, "t", (int)PrincipalType.AssumedRole);
            },
            r => RoleRows.Read(r, roleArn),
            ct);
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
                Add(command, "arn", roleArn);
                Add(command, "t", (int)PrincipalType.AssumedRole);
                Add(command, "p", trustPolicy, DbType.String);
                Add(command, "d", maxSessionDurationSeconds, DbType.Int32);
                if (await command.ExecuteNonQueryAsync(ct) == 0)
                {
                    return StoreOutcome.NotFound;
                }
            }

            await IdentitiesChangedAsync(connection, tx, changes, ct);
            return StoreOutcome.Success;
        }, ct);
}
