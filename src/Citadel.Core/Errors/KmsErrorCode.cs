namespace Citadel.Core.Errors;

/// <summary>
/// Every expected failure of a KMS request. The numbers are persisted in tests
/// (<c>WireErrorsTests</c>) and must never be renumbered; add new codes at the end.
/// </summary>
public enum KmsErrorCode
{
    NotFound = 1,
    Disabled = 2,
    InvalidState = 3,
    InvalidCiphertext = 4,
    IncorrectKey = 5,
    Validation = 6,
    AlreadyExists = 7,
    InvalidAliasName = 8,
    InvalidArn = 9,
    InvalidMarker = 10,
    InvalidKeyUsage = 11,
    UnsupportedOperation = 12,
    LimitExceeded = 13,
    Tag = 14,
    DryRunOperation = 15,
    MalformedPolicyDocument = 16,
    AccessDenied = 17,
    NotAuthorized = 18,
    Internal = 19,
    InvalidGrantToken = 20,
    KeyUnavailable = 21,
    DependencyTimeout = 22,
    Conflict = 23,
    Serialization = 24,
    UnknownOperation = 25,
    MissingAuthenticationToken = 26,
    IncompleteSignature = 27,
    InvalidSignature = 28,
    UnrecognizedClient = 29,
    RequestEntityTooLarge = 30,
    InvalidGrantId = 31,
    KmsInvalidSignature = 32,
    KmsInvalidMac = 33,
    IncorrectKeyMaterial = 34,
    ExpiredImportToken = 35,
    InvalidImportToken = 36,
    CustomKeyStoreNotFound = 37,
    InvalidLookupAttributes = 38,
    InvalidTimeRange = 39,
    InvalidMaxResults = 40,
    InvalidNextToken = 41,
    InvalidEventCategory = 42,

    /// <summary>The request body did not arrive in time (a stalled or too slow client).</summary>
    RequestTimeout = 43,
    CloudHsmClusterNotFound = 44,
    XksProxyUriUnreachable = 45,

    /// <summary>The request was signed with temporary credentials whose session has ended.</summary>
    ExpiredToken = 46,

    // Custom key stores (issue 20), numbered from 70 to stay clear of codes other branches add meanwhile.
    CustomKeyStoreNameInUse = 70,
    CustomKeyStoreInvalidState = 71,
    CustomKeyStoreHasCmks = 72,
    XksProxyUriInUse = 73,
    XksProxyUriEndpointInUse = 74,
    XksProxyIncorrectAuthenticationCredential = 75,
    XksProxyInvalidResponse = 76,
    XksProxyInvalidConfiguration = 77,
    XksProxyVpcEndpointServiceNotFound = 78,
    XksKeyInvalidConfiguration = 79,
    XksKeyAlreadyInUse = 80,
    XksKeyNotFound = 81,
}
