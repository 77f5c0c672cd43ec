namespace Citadel.Core.Identity;

/// <summary>What IAM's ListAccessKeys shows of an access key: never its secret.</summary>
public sealed record AccessKeyMetadata(string AccessKeyId, AccessKeyStatus Status, DateTimeOffset CreatedAt);
