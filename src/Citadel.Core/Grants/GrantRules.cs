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

    /// <summary>
    /// Operations that take an encryption context, and CreateGrant, whose grants must then have
    /// constraints at least as strict; with <see cref="UnconstrainedOperations"/>, the only operations a
    /// grant with constraints may include.
    /// </summary>
    public static readonly string[] ContextOperations =
    [
        "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
        "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "CreateGrant",
    ];

    /// <summary>
    /// Operations a grant with constraints may include although the constraints do not apply to them
    /// (API reference, GrantConstraints: "Grants with grant constraints can include the DescribeKey and
    /// RetireGrant operations, but the constraint doesn't apply to these operations").
    /// </summary>
    public static readonly string[] UnconstrainedOperations = ["DescribeKey", "RetireGrant"];

    /// <summary>
    /// Whether the grant lets <paramref name="principalArn"/> perform <paramref name="operation"/> with
    /// <paramref name="context"/>. <paramref name="keyTakesContext"/> is false for keys whose operations
    /// take no encryption context (asymmetric and HMAC keys): a context sent with them binds nothing, so a
    /// grant with constraints allows none of their constrained operations.
    /// </summary>
    public static bool Allows(GrantRecord grant, string principalArn, string operation, IReadOnlyDictionary<string, string>? context, bool keyTakesContext = true)
    {
        if (!string.Equals(grant.GranteePrincipal, principalArn, StringComparison.Ordinal) || !grant.Operations.Contains(operation, StringComparer.Ordinal))
        {
            return false;
        }

        if (grant.Constraints is null || UnconstrainedOperations.Contains(operation, StringComparer.Ordinal))
        {
            return true;
        }

        return keyTakesContext && ConstraintsHold(grant.Constraints, context);
    }

    /// <summary>
    /// Whether the grant lets <paramref name="principalArn"/> create a grant for <paramref name="operations"/>
    /// with <paramref name="constraints"/>. CreateGrant permission that comes from a grant is limited
    /// (developer guide, "Granting CreateGrant permission"): the new grant may allow only some or all of
    /// the parent grant's operations, and its constraints must be at least as strict as the parent's.
    /// </summary>
    public static bool AllowsCreateGrant(GrantRecord grant, string principalArn, IReadOnlyList<string> operations, GrantConstraints? constraints)
    {
        if (!string.Equals(grant.GranteePrincipal, principalArn, StringComparison.Ordinal) || !grant.Operations.Contains("CreateGrant", StringComparer.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < operations.Count; i++)
        {
            if (!grant.Operations.Contains(operations[i], StringComparer.Ordinal))
            {
                return false;
            }
        }

        return IsAtLeastAsStrict(constraints, grant.Constraints);
    }

    /// <summary>
    /// Whether every encryption context <paramref name="child"/> admits is one <paramref name="parent"/>
    /// admits. A child may add pairs to an EncryptionContextSubset or turn it into an
    /// EncryptionContextEquals that contains its pairs, but not the reverse (developer guide, "Granting
    /// CreateGrant permission").
    /// </summary>
    public static bool IsAtLeastAsStrict(GrantConstraints? child, GrantConstraints? parent)
    {
        if (parent is null || (parent.EncryptionContextEquals is null && parent.EncryptionContextSubset is null))
        {
            return true;
        }

        if (child?.EncryptionContextEquals is { } exactly)
        {
            // The child admits only this context (or none, when its own subset is not in it).
            return ConstraintsHold(parent, exactly);
        }

        if (child?.EncryptionContextSubset is not { } subset || parent.EncryptionContextEquals is not null)
        {
            // No constraint admits every context; a subset admits contexts with any extra pair, which no equals constraint does.
            return false;
        }

        return ContainsPairs(subset, parent.EncryptionContextSubset!);
    }

    public static bool ConstraintsHold(GrantConstraints? constraints, IReadOnlyDictionary<string, string>? context)
    {
        if (constraints is null)
        {
            return true;
        }

        if (constraints.EncryptionContextEquals is { } equals && ((context?.Count ?? 0) != equals.Count || (equals.Count > 0 && !ContainsPairs(context!, equals))))
        {
            return false;
        }

        return constraints.EncryptionContextSubset is not { } subset || (context is null ? subset.Count == 0 : ContainsPairs(context, subset));
    }

    /// <summary>Whether two grants' constraints are the same, whatever the order of their pairs (a CreateGrant retry with the same Name).</summary>
    public static bool SameConstraints(GrantConstraints? a, GrantConstraints? b) =>
        a is null || b is null
            ? a is null && b is null
            : SameMap(a.EncryptionContextEquals, b.EncryptionContextEquals) && SameMap(a.EncryptionContextSubset, b.EncryptionContextSubset);

    private static bool SameMap(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var value) && string.Equals(value, p.Value, StringComparison.Ordinal));

    /// <summary>
    /// Whether <paramref name="context"/> has every pair of <paramref name="pairs"/>. In a grant constraint the
    /// key is not case sensitive but the value is (API reference, GrantConstraints).
    /// </summary>
    private static bool ContainsPairs(IReadOnlyDictionary<string, string> context, IReadOnlyDictionary<string, string> pairs)
    {
        foreach (var (key, value) in pairs)
        {
            if (context.TryGetValue(key, out var exact) && string.Equals(exact, value, StringComparison.Ordinal))
            {
                continue;
            }

            if (!context.Any(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase) && string.Equals(p.Value, value, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
