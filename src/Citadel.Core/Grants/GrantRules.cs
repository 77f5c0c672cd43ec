namespace Citadel.Core.Grants;

/// <summary>
/// What grants allow (AWS KMS developer guide, "Grants in AWS KMS"): the grantee may perform the
/// grant's operations on its key, and only with an encryption context that satisfies the grant's
/// constraints. A grant allows on its own, without a policy.
/// </summary>
public static class GrantRules
{
    /// <summary>The grant operations of the KMS model (GrantOperation), in its order.</summary>
    public static readonly string[] Operations =
    [
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "Sign",
        "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
    ];

    /// <summary>Operations that take an encryption context; only these may have grant constraints.</summary>
    public static readonly string[] ContextOperations =
    [
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "CreateGrant", "RetireGrant",
    ];

    public static bool Allows(GrantRecord grant, string principalArn, string operation, IReadOnlyDictionary<string, string>? context)
    {
        if (!string.Equals(grant.GranteePrincipal, principalArn, StringComparison.Ordinal) || !grant.Operations.Contains(operation, StringComparer.Ordinal))
        {
            return false;
        }

        return ConstraintsHold(grant.Constraints, context);
    }

    public static bool ConstraintsHold(GrantConstraints? constraints, IReadOnlyDictionary<string, string>? context)
    {
        if (constraints is null)
        {
            return true;
        }

        if (constraints.EncryptionContextEquals is { } equals)
        {
            var count = context?.Count ?? 0;
            if (count != equals.Count)
            {
                return false;
            }

            foreach (var (key, value) in equals)
            {
                if (context is null || !context.TryGetValue(key, out var actual) || actual != value)
                {
                    return false;
                }
            }
        }

        if (constraints.EncryptionContextSubset is { } subset)
        {
            foreach (var (key, value) in subset)
            {
                if (context is null || !context.TryGetValue(key, out var actual) || actual != value)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
