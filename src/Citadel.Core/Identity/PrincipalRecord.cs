namespace Citadel.Core.Identity;

/// <summary>An IAM identity: the account root, a user or a role, with its ARN and unique id.</summary>
public sealed record PrincipalRecord(string Arn, string AccountId, PrincipalType Type, string Name, string PrincipalId, DateTimeOffset CreatedAt)
{
    public static string UserArn(string accountId, string name) => $"arn:aws:iam::{accountId}:user/{name}";

    public static string RoleArn(string accountId, string name) => $"arn:aws:iam::{accountId}:role/{name}";

    /// <summary>IAM names: 1–64 characters of letters, digits and +=,.@_- (users and roles).</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '=' or ',' or '.' or '@' or '_' or '-');
}

/// <summary>An identity policy attached to a user or role, by name.</summary>
public sealed record IdentityPolicyRecord(string PrincipalArn, string Name, string Document);
