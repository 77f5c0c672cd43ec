namespace Citadel.Core.Policies;

/// <summary>The condition keys the evaluator knows; anything else is never present in a request.</summary>
public enum KnownConditionKey
{
    Unknown = 0,
    AwsPrincipalArn,
    AwsPrincipalAccount,
    AwsPrincipalType,
    AwsUsername,
    AwsUserId,
    AwsSourceIp,
    AwsCurrentTime,
    AwsEpochTime,
    AwsSecureTransport,
    AwsRequestedRegion,
    AwsResourceTag,
    AwsRequestTag,
    AwsTagKeys,
    KmsCallerAccount,
    KmsViaService,
    KmsEncryptionContext,
    KmsEncryptionContextKeys,
    KmsEncryptionAlgorithm,
    KmsGrantOperations,
    KmsGrantIsForAwsResource,
    KmsGranteePrincipal,
    KmsRetiringPrincipal,
    KmsGrantConstraintType,
    KmsKeySpec,
    KmsKeyUsage,
    KmsKeyOrigin,
    KmsKeyManager,
    KmsRequestAlias,
    KmsResourceAliases,
    KmsBypassPolicyLockoutSafetyCheck,
    KmsRotationPeriodInDays,
    KmsScheduleKeyDeletionPendingWindowInDays,
    KmsReEncryptOnSameKey,
    KmsDataKeyPairSpec,
    KmsMessageType,
    KmsSigningAlgorithm,
    KmsMacAlgorithm,
    KmsKeyAgreementAlgorithm,
    KmsExpirationModel,
    KmsValidTo,
    KmsWrappingAlgorithm,
    KmsWrappingKeySpec,
    KmsCustomerMasterKeySpec,
    KmsCustomerMasterKeyUsage,
    AwsPrincipalTag,
    StsExternalId,
    StsRoleSessionName,
    StsTransitiveTagKeys,
}

/// <summary>
/// A condition key as written in a policy, parsed once: which key it is and, for the keys that
/// carry a name (kms:EncryptionContext:&lt;name&gt;, aws:ResourceTag/&lt;name&gt;, aws:RequestTag/&lt;name&gt;),
/// the name. Condition key names are case-insensitive, as in IAM.
/// </summary>
public readonly record struct ConditionKey(KnownConditionKey Known, string Name, string? Suffix)
{
    private static readonly Dictionary<string, KnownConditionKey> Simple = new(StringComparer.OrdinalIgnoreCase)
    {
        ["aws:PrincipalArn"] = KnownConditionKey.AwsPrincipalArn,
        ["aws:PrincipalAccount"] = KnownConditionKey.AwsPrincipalAccount,
        ["aws:PrincipalType"] = KnownConditionKey.AwsPrincipalType,
        ["aws:username"] = KnownConditionKey.AwsUsername,
        ["aws:userid"] = KnownConditionKey.AwsUserId,
        ["aws:SourceIp"] = KnownConditionKey.AwsSourceIp,
        ["aws:CurrentTime"] = KnownConditionKey.AwsCurrentTime,
        ["aws:EpochTime"] = KnownConditionKey.AwsEpochTime,
        ["aws:SecureTransport"] = KnownConditionKey.AwsSecureTransport,
        ["aws:RequestedRegion"] = KnownConditionKey.AwsRequestedRegion,
        ["aws:TagKeys"] = KnownConditionKey.AwsTagKeys,
        ["kms:CallerAccount"] = KnownConditionKey.KmsCallerAccount,
        ["kms:ViaService"] = KnownConditionKey.KmsViaService,
        ["kms:EncryptionContextKeys"] = KnownConditionKey.KmsEncryptionContextKeys,
        ["kms:EncryptionAlgorithm"] = KnownConditionKey.KmsEncryptionAlgorithm,
        ["kms:GrantOperations"] = KnownConditionKey.KmsGrantOperations,
        ["kms:GrantIsForAWSResource"] = KnownConditionKey.KmsGrantIsForAwsResource,
        ["kms:GranteePrincipal"] = KnownConditionKey.KmsGranteePrincipal,
        ["kms:RetiringPrincipal"] = KnownConditionKey.KmsRetiringPrincipal,
        ["kms:GrantConstraintType"] = KnownConditionKey.KmsGrantConstraintType,
        ["kms:KeySpec"] = KnownConditionKey.KmsKeySpec,
        ["kms:KeyUsage"] = KnownConditionKey.KmsKeyUsage,
        ["kms:KeyOrigin"] = KnownConditionKey.KmsKeyOrigin,
        ["kms:KeyManager"] = KnownConditionKey.KmsKeyManager,
        ["kms:RequestAlias"] = KnownConditionKey.KmsRequestAlias,
        ["kms:ResourceAliases"] = KnownConditionKey.KmsResourceAliases,
        ["kms:BypassPolicyLockoutSafetyCheck"] = KnownConditionKey.KmsBypassPolicyLockoutSafetyCheck,
        ["kms:RotationPeriodInDays"] = KnownConditionKey.KmsRotationPeriodInDays,
        ["kms:ScheduleKeyDeletionPendingWindowInDays"] = KnownConditionKey.KmsScheduleKeyDeletionPendingWindowInDays,
        ["kms:ReEncryptOnSameKey"] = KnownConditionKey.KmsReEncryptOnSameKey,
        ["kms:DataKeyPairSpec"] = KnownConditionKey.KmsDataKeyPairSpec,
        ["kms:MessageType"] = KnownConditionKey.KmsMessageType,
        ["kms:SigningAlgorithm"] = KnownConditionKey.KmsSigningAlgorithm,
        ["kms:MacAlgorithm"] = KnownConditionKey.KmsMacAlgorithm,
        ["kms:KeyAgreementAlgorithm"] = KnownConditionKey.KmsKeyAgreementAlgorithm,
        ["kms:ExpirationModel"] = KnownConditionKey.KmsExpirationModel,
        ["kms:ValidTo"] = KnownConditionKey.KmsValidTo,
        ["kms:WrappingAlgorithm"] = KnownConditionKey.KmsWrappingAlgorithm,
        ["kms:WrappingKeySpec"] = KnownConditionKey.KmsWrappingKeySpec,
        ["kms:CustomerMasterKeySpec"] = KnownConditionKey.KmsCustomerMasterKeySpec,
        ["kms:CustomerMasterKeyUsage"] = KnownConditionKey.KmsCustomerMasterKeyUsage,
        ["sts:ExternalId"] = KnownConditionKey.StsExternalId,
        ["sts:RoleSessionName"] = KnownConditionKey.StsRoleSessionName,
        ["sts:TransitiveTagKeys"] = KnownConditionKey.StsTransitiveTagKeys,
    };

    public static ConditionKey Parse(string name)
    {
        if (Simple.TryGetValue(name, out var known))
        {
            return new ConditionKey(known, name, null);
        }

        if (TrySuffix(name, "kms:EncryptionContext:", out var suffix))
        {
            return new ConditionKey(KnownConditionKey.KmsEncryptionContext, name, suffix);
        }

        if (TrySuffix(name, "aws:ResourceTag/", out suffix))
        {
            return new ConditionKey(KnownConditionKey.AwsResourceTag, name, suffix);
        }

        if (TrySuffix(name, "aws:PrincipalTag/", out suffix))
        {
            return new ConditionKey(KnownConditionKey.AwsPrincipalTag, name, suffix);
        }

        if (TrySuffix(name, "aws:RequestTag/", out suffix))
        {
            return new ConditionKey(KnownConditionKey.AwsRequestTag, name, suffix);
        }

        return new ConditionKey(KnownConditionKey.Unknown, name, null);
    }

    private static bool TrySuffix(string name, string prefix, out string suffix)
    {
        if (name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            suffix = name[prefix.Length..];
            return true;
        }

        suffix = "";
        return false;
    }
}
