using System.Globalization;
using Citadel.Core;
using Citadel.Core.Grants;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;

namespace Citadel.Server.Authorization;

/// <summary>
/// The condition-key values of one request. Handlers fill in what their operation carries
/// (encryption context, algorithm, grant details, tags); the pipeline fills in the caller and the
/// key. Pooled with its request context and cleared between requests.
/// </summary>
internal sealed class RequestFacts : IRequestFacts
{
    private readonly List<string> _encryptionContextKeys = [];

    public Principal? Principal { get; set; }

    public string Region { get; set; } = "";

    public string? SourceIp { get; set; }

    /// <summary>aws:SecureTransport: the request came over TLS, to this server or to a trusted proxy (X-Forwarded-Proto).</summary>
    public bool SecureTransport { get; set; }

    public DateTimeOffset Now { get; set; }

    public string? ViaService { get; set; }

    public KeyRecord? Key { get; set; }

    public IReadOnlyDictionary<string, string>? EncryptionContext { get; set; }

    public string? EncryptionAlgorithm { get; set; }

    public string? RequestAlias { get; set; }

    public IReadOnlyList<string>? GrantOperations { get; set; }

    public string? GranteePrincipal { get; set; }

    public string? RetiringPrincipal { get; set; }

    public IReadOnlyList<string>? GrantConstraintTypes { get; set; }

    /// <summary>The constraints of the grant CreateGrant would create: a grant that allows CreateGrant allows only grants at least as strict.</summary>
    public GrantConstraints? GrantConstraints { get; set; }

    public bool? GrantIsForAwsResource { get; set; }

    public IReadOnlyList<Tag>? RequestTags { get; set; }

    public IReadOnlyList<Tag>? ResourceTags { get; set; }

    public IReadOnlyList<string>? ResourceAliases { get; set; }

    public string? KeySpecRequested { get; set; }

    public string? KeyUsageRequested { get; set; }

    public string? KeyOriginRequested { get; set; }

    public bool? BypassPolicyLockoutSafetyCheck { get; set; }

    public int? RotationPeriodInDays { get; set; }

    public int? PendingWindowInDays { get; set; }

    public bool? ReEncryptOnSameKey { get; set; }

    public string? SigningAlgorithm { get; set; }

    public string? MessageType { get; set; }

    public string? MacAlgorithm { get; set; }

    public string? KeyAgreementAlgorithm { get; set; }

    public string? DataKeyPairSpec { get; set; }

    public string? WrappingAlgorithm { get; set; }

    public string? WrappingKeySpec { get; set; }

    public string? ExpirationModel { get; set; }

    /// <summary>kms:ValidTo: the ValidTo of ImportKeyMaterial, in epoch seconds.</summary>
    public long? ValidTo { get; set; }

    /// <summary>sts:ExternalId: the ExternalId of AssumeRole.</summary>
    public string? ExternalId { get; set; }

    /// <summary>sts:RoleSessionName: the RoleSessionName of AssumeRole.</summary>
    public string? RoleSessionName { get; set; }

    /// <summary>sts:TransitiveTagKeys: the TransitiveTagKeys of AssumeRole.</summary>
    public IReadOnlyList<string>? TransitiveTagKeys { get; set; }

    /// <summary>A web identity's claims as OIDC condition keys, e.g. issuer.example/path:sub (AssumeRoleWithWebIdentity).</summary>
    public IReadOnlyDictionary<string, string>? WebIdentityClaims { get; set; }

    /// <summary>An XKS proxy call's condition keys (xks:KmsOperation …), by name ignoring case (Xks/XksConditionKeys).</summary>
    public IReadOnlyDictionary<string, string>? XksFacts { get; set; }

    public void Reset()
    {
        WebIdentityClaims = null;
        XksFacts = null;
        Principal = null;
        SourceIp = null;
        SecureTransport = false;
        ViaService = null;
        Key = null;
        EncryptionContext = null;
        _encryptionContextKeys.Clear();
        EncryptionAlgorithm = null;
        RequestAlias = null;
        GrantOperations = null;
        GranteePrincipal = null;
        RetiringPrincipal = null;
        GrantConstraintTypes = null;
        GrantConstraints = null;
        GrantIsForAwsResource = null;
        RequestTags = null;
        ResourceTags = null;
        ResourceAliases = null;
        KeySpecRequested = null;
        KeyUsageRequested = null;
        KeyOriginRequested = null;
        BypassPolicyLockoutSafetyCheck = null;
        RotationPeriodInDays = null;
        PendingWindowInDays = null;
        ReEncryptOnSameKey = null;
        SigningAlgorithm = null;
        MessageType = null;
        MacAlgorithm = null;
        KeyAgreementAlgorithm = null;
        DataKeyPairSpec = null;
        WrappingAlgorithm = null;
        WrappingKeySpec = null;
        ExpirationModel = null;
        ValidTo = null;
        ExternalId = null;
        RoleSessionName = null;
        TransitiveTagKeys = null;
    }

    public bool TryGet(in ConditionKey key, out FactValues values)
    {
        values = default;
        string? one = key.Known switch
        {
            KnownConditionKey.AwsPrincipalArn => Principal?.PolicyArn,
            KnownConditionKey.AwsPrincipalAccount or KnownConditionKey.KmsCallerAccount => Principal?.AccountId,
            KnownConditionKey.AwsPrincipalType => Principal?.Type switch
            {
                PrincipalType.Root => "Account",
                PrincipalType.IamUser => "User",
                PrincipalType.AssumedRole => "AssumedRole",
                _ => null,
            },
            KnownConditionKey.AwsUsername => Principal is { Type: PrincipalType.IamUser } user ? user.Arn[(user.Arn.LastIndexOf('/') + 1)..] : null,
            KnownConditionKey.AwsUserId => Principal?.PrincipalId,
            KnownConditionKey.AwsSourceIp => SourceIp,
            KnownConditionKey.AwsCurrentTime => Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            KnownConditionKey.AwsEpochTime => Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            KnownConditionKey.AwsSecureTransport => SecureTransport ? "true" : "false",
            KnownConditionKey.AwsRequestedRegion => Region,
            KnownConditionKey.KmsViaService => ViaService,
            KnownConditionKey.KmsEncryptionContext => Lookup(EncryptionContext, key.Suffix!),
            KnownConditionKey.KmsEncryptionAlgorithm => EncryptionAlgorithm,
            KnownConditionKey.KmsRequestAlias => RequestAlias,
            KnownConditionKey.KmsGranteePrincipal => GranteePrincipal,
            KnownConditionKey.KmsRetiringPrincipal => RetiringPrincipal,
            KnownConditionKey.KmsGrantIsForAwsResource => GrantIsForAwsResource is { } aws ? (aws ? "true" : "false") : null,
            KnownConditionKey.KmsKeySpec or KnownConditionKey.KmsCustomerMasterKeySpec => KeySpecRequested ?? (Key is { } k ? WireNames.Of(k.Spec) : null),
            KnownConditionKey.KmsKeyUsage or KnownConditionKey.KmsCustomerMasterKeyUsage => KeyUsageRequested ?? (Key is { } k2 ? WireNames.Of(k2.Usage) : null),
            KnownConditionKey.KmsKeyOrigin => KeyOriginRequested ?? (Key is { } k3 ? WireNames.Of(k3.Origin) : null),
            KnownConditionKey.KmsKeyManager => Key is { } k4 ? WireNames.Of(k4.Manager) : null,
            KnownConditionKey.KmsBypassPolicyLockoutSafetyCheck => BypassPolicyLockoutSafetyCheck is { } bypass ? (bypass ? "true" : "false") : null,
            KnownConditionKey.KmsRotationPeriodInDays => RotationPeriodInDays?.ToString(CultureInfo.InvariantCulture),
            KnownConditionKey.KmsScheduleKeyDeletionPendingWindowInDays => PendingWindowInDays?.ToString(CultureInfo.InvariantCulture),
            KnownConditionKey.KmsReEncryptOnSameKey => ReEncryptOnSameKey is { } same ? (same ? "true" : "false") : null,
            KnownConditionKey.KmsSigningAlgorithm => SigningAlgorithm,
            KnownConditionKey.KmsMessageType => MessageType,
            KnownConditionKey.KmsMacAlgorithm => MacAlgorithm,
            KnownConditionKey.KmsKeyAgreementAlgorithm => KeyAgreementAlgorithm,
            KnownConditionKey.KmsDataKeyPairSpec => DataKeyPairSpec,
            KnownConditionKey.KmsWrappingAlgorithm => WrappingAlgorithm,
            KnownConditionKey.KmsWrappingKeySpec => WrappingKeySpec,
            KnownConditionKey.KmsExpirationModel => ExpirationModel,
            KnownConditionKey.KmsValidTo => ValidTo?.ToString(CultureInfo.InvariantCulture),
            KnownConditionKey.AwsResourceTag => LookupTag(ResourceTags, key.Suffix!),
            KnownConditionKey.AwsRequestTag => LookupTag(RequestTags, key.Suffix!),
            KnownConditionKey.AwsPrincipalTag => LookupTag(Principal?.Session?.Tags, key.Suffix!),
            KnownConditionKey.StsExternalId => ExternalId,
            KnownConditionKey.StsRoleSessionName => RoleSessionName,
            KnownConditionKey.Unknown when WebIdentityClaims is { } claims => claims.GetValueOrDefault(key.Name),
            KnownConditionKey.Unknown when XksFacts is { } xks => xks.GetValueOrDefault(key.Name),
            _ => null,
        };

        if (one is not null)
        {
            values = new FactValues(one);
            return true;
        }

        IReadOnlyList<string>? many = key.Known switch
        {
            KnownConditionKey.KmsEncryptionContextKeys => EncryptionContextKeys(),
            KnownConditionKey.KmsGrantOperations => GrantOperations,
            KnownConditionKey.KmsGrantConstraintType => GrantConstraintTypes,
            KnownConditionKey.KmsResourceAliases => ResourceAliases,
            KnownConditionKey.AwsTagKeys => RequestTags?.Select(t => t.Key).ToArray(),
            KnownConditionKey.StsTransitiveTagKeys => TransitiveTagKeys,
            _ => null,
        };

        if (many is { Count: > 0 })
        {
            values = new FactValues(many);
            return true;
        }

        return false;
    }

    /// <summary>The keys of the encryption context, in a list this pooled instance reuses from request to request.</summary>
    private List<string>? EncryptionContextKeys()
    {
        if (EncryptionContext is not { Count: > 0 } context)
        {
            return null;
        }

        _encryptionContextKeys.Clear();
        if (context is Dictionary<string, string> dictionary)
        {
            // Its struct enumerator: through the interface the enumerator would be boxed.
            foreach (var (key, _) in dictionary)
            {
                _encryptionContextKeys.Add(key);
            }
        }
        else
        {
            _encryptionContextKeys.AddRange(context.Keys);
        }

        return _encryptionContextKeys;
    }

    private static string? Lookup(IReadOnlyDictionary<string, string>? context, string name)
    {
        if (context is null)
        {
            return null;
        }

        if (context.TryGetValue(name, out var value))
        {
            return value;
        }

        // Condition key names are case-insensitive, so the context key in kms:EncryptionContext:<key> is too.
        foreach (var (key, candidate) in context)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? LookupTag(IReadOnlyList<Tag>? tags, string name)
    {
        if (tags is null)
        {
            return null;
        }

        foreach (var tag in tags)
        {
            if (string.Equals(tag.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return tag.Value;
            }
        }

        return null;
    }
}
