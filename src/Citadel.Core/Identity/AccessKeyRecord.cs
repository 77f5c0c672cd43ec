namespace Citadel.Core.Identity;

/// <summary>
/// An access key bound to a principal. The secret is sealed under the root key (SigV4 needs the
/// secret itself, so it cannot be stored as a hash).
/// </summary>
public sealed record AccessKeyRecord(
    string AccessKeyId,
    string AccountId,
    string PrincipalArn,
    PrincipalType PrincipalType,
    string PrincipalId,
    byte[] SealedSecret,
    DateTimeOffset CreatedAt);
