using Citadel.Core.Identity;

namespace Citadel.Server.Iam;

/// <summary>A new access key as CreateAccessKey returns it: the secret is here once and stored only sealed.</summary>
public sealed record IamCreatedAccessKey(string UserName, string AccessKeyId, string SecretAccessKey, AccessKeyStatus Status, DateTimeOffset CreatedAt)
{
    /// <summary>Never the secret: a record's generated ToString would print it into any log or exception.</summary>
    public override string ToString() => $"{AccessKeyId} ({UserName})";
}
