namespace Citadel.Core.Identity;

/// <summary>
/// A user or role as the IAM API sees it: the principal with its path and, for roles, the description,
/// trust policy (the AssumeRolePolicyDocument) and maximum session duration in seconds. A principal
/// created by `citadel iam` has path "/", no description or trust policy, and the default duration.
/// </summary>
public sealed record IamEntity(PrincipalRecord Principal, string Path, string? Description, string? AssumeRolePolicyDocument, int MaxSessionDuration)
{
    /// <summary>A role's maximum session duration when none was set: one hour, as in AWS.</summary>
    public const int DefaultMaxSessionDuration = 3600;

    /// <summary>An IAM ARN with its path: arn:aws:iam::111122223333:user/division/alice.</summary>
    public static string Arn(string accountId, PrincipalType type, string path, string name) =>
        $"arn:aws:iam::{accountId}:{(type == PrincipalType.IamUser ? "user" : "role")}{path}{name}";
}
