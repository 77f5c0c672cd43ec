using Citadel.Core.Keys;
using Citadel.Core.Policies;

namespace Citadel.Core.Identity;

/// <summary>
/// What a role session carries from the AssumeRole call that made it: the role (its permissions are the session's),
/// the session's name and lifetime, the session policy that narrows them, and the session tags
/// (aws:PrincipalTag/…). Sealed inside the session token, so it cannot be changed by its holder.
/// </summary>
/// <param name="RoleArn">The role assumed, arn:aws:iam::ACCOUNT:role/NAME.</param>
/// <param name="RoleId">The role's unique id (AROA…).</param>
/// <param name="SessionName">RoleSessionName.</param>
/// <param name="IssuedAt">When AssumeRole made it (CloudTrail's sessionContext.attributes.creationDate).</param>
/// <param name="Expiration">When its credentials stop working.</param>
/// <param name="Chained">Made by a role session (role chaining): at most one hour, and its transitive tags carry on.</param>
public sealed record SessionContext(string RoleArn, string RoleId, string SessionName, DateTimeOffset IssuedAt, DateTimeOffset Expiration, bool Chained)
{
    /// <summary>The session policy (AssumeRole's Policy), or null: the session has the role's permissions.</summary>
    public Policy? Policy { get; init; }

    /// <summary>The session policy as sent, sealed in the token so the session can be verified on any node.</summary>
    public string? PolicyDocument { get; init; }

    /// <summary>Session tags, the values of aws:PrincipalTag/KEY.</summary>
    public IReadOnlyList<Tag> Tags { get; init; } = [];

    /// <summary>The tag keys passed on to a session this session makes (role chaining).</summary>
    public IReadOnlyList<string> TransitiveTagKeys { get; init; } = [];

    /// <summary>The role's name (the last part of its ARN).</summary>
    public string RoleName => RoleNameSpan().ToString();

    /// <summary>The role's name as a part of <see cref="RoleArn"/>, without a string made for it (the audit record writes it per event).</summary>
    public ReadOnlySpan<char> RoleNameSpan() => RoleArn.AsSpan(RoleArn.LastIndexOf('/') + 1);

    /// <summary>The session's ARN: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.</summary>
    public static string SessionArn(string accountId, string roleName, string sessionName) => $"arn:aws:sts::{accountId}:assumed-role/{roleName}/{sessionName}";
}
