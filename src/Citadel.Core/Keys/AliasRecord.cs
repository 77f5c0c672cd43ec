namespace Citadel.Core.Keys;

/// <summary>An alias: a name in an account and region that points at one key.</summary>
public sealed record AliasRecord(
    string AccountId,
    string Region,
    string Name,
    KeyId TargetKeyId,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt)
{
    public string Arn => Arns.Alias(Region, AccountId, Name);
}
