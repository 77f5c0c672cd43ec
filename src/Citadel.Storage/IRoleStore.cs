using Citadel.Core.Identity;

namespace Citadel.Storage;

/// <summary>
/// What a role has beyond a principal: who may assume it (its trust policy, AssumeRolePolicyDocument) and for how
/// long (MaxSessionDuration). Kept on the role's own row, so it goes when the role goes and a role made again with
/// the same name trusts no one until it is told. Both stores implement this next to <see cref="IStore"/>.
/// </summary>
public interface IRoleStore
{
    /// <summary>The role's settings, or null when <paramref name="roleArn"/> is not a role.</summary>
    Task<RoleSettings?> GetRoleSettingsAsync(string roleArn, CancellationToken ct);

    /// <summary>Sets the trust policy and/or the maximum session duration (null leaves it as it is); NotFound when there is no such role.</summary>
    Task<StoreOutcome> PutRoleSettingsAsync(string roleArn, string? trustPolicy, int? maxSessionDurationSeconds, CancellationToken ct);
}

/// <summary>Reads role settings from a row of (principal_id, trust_policy, max_session_duration): one mapping for both stores.</summary>
public static class RoleRows
{
    public const string Columns = "principal_id, trust_policy, max_session_duration";

    public static RoleSettings Read(System.Data.Common.DbDataReader row, string roleArn) => new(
        roleArn,
        row.GetString(0),
        row.IsDBNull(1) ? null : row.GetString(1),
        row.IsDBNull(2) ? RoleSettings.DefaultMaxSessionDuration : row.GetInt32(2));
}
