namespace Citadel.Core.Keys;

/// <summary>Builds the ARNs of KMS resources (arn:aws:kms:&lt;region&gt;:&lt;account&gt;:key/&lt;id&gt;).</summary>
public static class Arns
{
    public static string Key(string region, string accountId, KeyId id) => $"arn:aws:kms:{region}:{accountId}:key/{id}";

    public static string Alias(string region, string accountId, string aliasName) => $"arn:aws:kms:{region}:{accountId}:{aliasName}";

    public static string AccountRoot(string accountId) => $"arn:aws:iam::{accountId}:root";
}
