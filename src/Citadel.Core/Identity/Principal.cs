namespace Citadel.Core.Identity;

/// <summary>What kind of identity signed a request (CloudTrail's userIdentity.type).</summary>
public enum PrincipalType
{
    Root = 1,
    IamUser = 2,
    AssumedRole = 3,

    /// <summary>An integrated service (e.g. secretsmanager.amazonaws.com) that may act on behalf of callers.</summary>
    Service = 4,

    /// <summary>A caller federated by an OpenID Connect provider (AssumeRoleWithWebIdentity); its ARN is the provider's.</summary>
    WebIdentityUser = 5,
}

/// <summary>An authenticated caller: the account it belongs to and its ARN.</summary>
public sealed record Principal(string AccountId, string Arn, PrincipalType Type, string PrincipalId)
{
    /// <summary>
    /// For a role session (temporary credentials from AssumeRole): the role and the session. Then <see cref="Arn"/> is
    /// the session's arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION and <see cref="PrincipalId"/> is ROLEID:SESSION.
    /// </summary>
    public SessionContext? Session { get; init; }

    /// <summary>The ARN policies know the caller by in aws:PrincipalArn and identity policies: the role for a session.</summary>
    public string PolicyArn => Session?.RoleArn ?? Arn;
}
