namespace Citadel.Core.Identity;

/// <summary>What kind of identity signed a request (CloudTrail's userIdentity.type).</summary>
public enum PrincipalType
{
    Root = 1,
    IamUser = 2,
    AssumedRole = 3,

    /// <summary>An integrated service (e.g. secretsmanager.amazonaws.com) that may act on behalf of callers.</summary>
    Service = 4,
}

/// <summary>An authenticated caller: the account it belongs to and its ARN.</summary>
public sealed record Principal(string AccountId, string Arn, PrincipalType Type, string PrincipalId);
