using System.Diagnostics;
using Citadel.Core.Errors;

namespace Citadel.Server.Protocol;

/// <summary>The one place where error codes become AWS exception names and HTTP statuses.</summary>
internal static class WireErrors
{
    internal static (string Type, int Status) ToWire(KmsErrorCode code) => code switch
    {
        KmsErrorCode.NotFound => ("NotFoundException", 400),
        KmsErrorCode.Disabled => ("DisabledException", 400),
        KmsErrorCode.InvalidState => ("KMSInvalidStateException", 400),
        KmsErrorCode.InvalidCiphertext => ("InvalidCiphertextException", 400),
        KmsErrorCode.IncorrectKey => ("IncorrectKeyException", 400),
        KmsErrorCode.Validation => ("ValidationException", 400),
        KmsErrorCode.AlreadyExists => ("AlreadyExistsException", 400),
        KmsErrorCode.InvalidAliasName => ("InvalidAliasNameException", 400),
        KmsErrorCode.InvalidArn => ("InvalidArnException", 400),
        KmsErrorCode.InvalidMarker => ("InvalidMarkerException", 400),
        KmsErrorCode.InvalidKeyUsage => ("InvalidKeyUsageException", 400),
        KmsErrorCode.UnsupportedOperation => ("UnsupportedOperationException", 400),
        KmsErrorCode.LimitExceeded => ("LimitExceededException", 400),
        KmsErrorCode.Tag => ("TagException", 400),
        KmsErrorCode.DryRunOperation => ("DryRunOperationException", 412),
        KmsErrorCode.MalformedPolicyDocument => ("MalformedPolicyDocumentException", 400),
        KmsErrorCode.AccessDenied => ("AccessDeniedException", 400),
        KmsErrorCode.NotAuthorized => ("NotAuthorizedException", 400),
        KmsErrorCode.Internal => ("KMSInternalException", 500),
        KmsErrorCode.InvalidGrantToken => ("InvalidGrantTokenException", 400),
        KmsErrorCode.KeyUnavailable => ("KeyUnavailableException", 500),
        KmsErrorCode.DependencyTimeout => ("DependencyTimeoutException", 503),
        KmsErrorCode.Conflict => ("ConflictException", 409),
        KmsErrorCode.Serialization => ("SerializationException", 400),
        KmsErrorCode.UnknownOperation => ("UnknownOperationException", 400),
        KmsErrorCode.MissingAuthenticationToken => ("MissingAuthenticationTokenException", 400),
        KmsErrorCode.IncompleteSignature => ("IncompleteSignatureException", 400),
        KmsErrorCode.InvalidSignature => ("InvalidSignatureException", 400),
        KmsErrorCode.UnrecognizedClient => ("UnrecognizedClientException", 400),
        KmsErrorCode.RequestEntityTooLarge => ("RequestEntityTooLargeException", 413),
        KmsErrorCode.InvalidGrantId => ("InvalidGrantIdException", 400),
        KmsErrorCode.KmsInvalidSignature => ("KMSInvalidSignatureException", 400),
        KmsErrorCode.KmsInvalidMac => ("KMSInvalidMacException", 400),
        KmsErrorCode.IncorrectKeyMaterial => ("IncorrectKeyMaterialException", 400),
        KmsErrorCode.ExpiredImportToken => ("ExpiredImportTokenException", 400),
        KmsErrorCode.InvalidImportToken => ("InvalidImportTokenException", 400),
        KmsErrorCode.CustomKeyStoreNotFound => ("CustomKeyStoreNotFoundException", 400),
        KmsErrorCode.InvalidLookupAttributes => ("InvalidLookupAttributesException", 400),
        KmsErrorCode.InvalidTimeRange => ("InvalidTimeRangeException", 400),
        KmsErrorCode.InvalidMaxResults => ("InvalidMaxResultsException", 400),
        KmsErrorCode.InvalidNextToken => ("InvalidNextTokenException", 400),
        KmsErrorCode.InvalidEventCategory => ("InvalidEventCategoryException", 400),
        KmsErrorCode.RequestTimeout => ("RequestTimeoutException", 408),
        KmsErrorCode.CloudHsmClusterNotFound => ("CloudHsmClusterNotFoundException", 400),
        KmsErrorCode.XksProxyUriUnreachable => ("XksProxyUriUnreachableException", 400),
        KmsErrorCode.ExpiredToken => ("ExpiredTokenException", 400),
        _ => throw new UnreachableException($"No wire mapping for {code}"),
    };
}
