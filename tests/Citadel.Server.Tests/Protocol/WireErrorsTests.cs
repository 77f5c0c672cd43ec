using System.Diagnostics;
using Citadel.Core.Errors;
using Citadel.Server.Protocol;

namespace Citadel.Server.Tests.Protocol;

/// <summary>
/// Freezes the numbers of <see cref="KmsErrorCode"/> (they are persisted; never renumber) and the wire
/// mapping (AWS exception name and HTTP status). A new code must be added here and in WireErrors.
/// </summary>
public sealed class WireErrorsTests
{
    public static TheoryData<KmsErrorCode, int, string, int> Table => new()
    {
        { KmsErrorCode.NotFound, 1, "NotFoundException", 400 },
        { KmsErrorCode.Disabled, 2, "DisabledException", 400 },
        { KmsErrorCode.InvalidState, 3, "KMSInvalidStateException", 400 },
        { KmsErrorCode.InvalidCiphertext, 4, "InvalidCiphertextException", 400 },
        { KmsErrorCode.IncorrectKey, 5, "IncorrectKeyException", 400 },
        { KmsErrorCode.Validation, 6, "ValidationException", 400 },
        { KmsErrorCode.AlreadyExists, 7, "AlreadyExistsException", 400 },
        { KmsErrorCode.InvalidAliasName, 8, "InvalidAliasNameException", 400 },
        { KmsErrorCode.InvalidArn, 9, "InvalidArnException", 400 },
        { KmsErrorCode.InvalidMarker, 10, "InvalidMarkerException", 400 },
        { KmsErrorCode.InvalidKeyUsage, 11, "InvalidKeyUsageException", 400 },
        { KmsErrorCode.UnsupportedOperation, 12, "UnsupportedOperationException", 400 },
        { KmsErrorCode.LimitExceeded, 13, "LimitExceededException", 400 },
        { KmsErrorCode.Tag, 14, "TagException", 400 },
        { KmsErrorCode.DryRunOperation, 15, "DryRunOperationException", 412 },
        { KmsErrorCode.MalformedPolicyDocument, 16, "MalformedPolicyDocumentException", 400 },
        { KmsErrorCode.AccessDenied, 17, "AccessDeniedException", 400 },
        { KmsErrorCode.NotAuthorized, 18, "NotAuthorizedException", 400 },
        { KmsErrorCode.Internal, 19, "KMSInternalException", 500 },
        { KmsErrorCode.InvalidGrantToken, 20, "InvalidGrantTokenException", 400 },
        { KmsErrorCode.KeyUnavailable, 21, "KeyUnavailableException", 500 },
        { KmsErrorCode.DependencyTimeout, 22, "DependencyTimeoutException", 503 },
        { KmsErrorCode.Conflict, 23, "ConflictException", 409 },
        { KmsErrorCode.Serialization, 24, "SerializationException", 400 },
        { KmsErrorCode.UnknownOperation, 25, "UnknownOperationException", 400 },
        { KmsErrorCode.MissingAuthenticationToken, 26, "MissingAuthenticationTokenException", 400 },
        { KmsErrorCode.IncompleteSignature, 27, "IncompleteSignatureException", 400 },
        { KmsErrorCode.InvalidSignature, 28, "InvalidSignatureException", 400 },
        { KmsErrorCode.UnrecognizedClient, 29, "UnrecognizedClientException", 400 },
        { KmsErrorCode.RequestEntityTooLarge, 30, "RequestEntityTooLargeException", 413 },
        { KmsErrorCode.InvalidGrantId, 31, "InvalidGrantIdException", 400 },
        { KmsErrorCode.KmsInvalidSignature, 32, "KMSInvalidSignatureException", 400 },
        { KmsErrorCode.KmsInvalidMac, 33, "KMSInvalidMacException", 400 },
        { KmsErrorCode.IncorrectKeyMaterial, 34, "IncorrectKeyMaterialException", 400 },
        { KmsErrorCode.ExpiredImportToken, 35, "ExpiredImportTokenException", 400 },
        { KmsErrorCode.InvalidImportToken, 36, "InvalidImportTokenException", 400 },
        { KmsErrorCode.CustomKeyStoreNotFound, 37, "CustomKeyStoreNotFoundException", 400 },
        { KmsErrorCode.InvalidLookupAttributes, 38, "InvalidLookupAttributesException", 400 },
        { KmsErrorCode.InvalidTimeRange, 39, "InvalidTimeRangeException", 400 },
        { KmsErrorCode.InvalidMaxResults, 40, "InvalidMaxResultsException", 400 },
        { KmsErrorCode.InvalidNextToken, 41, "InvalidNextTokenException", 400 },
        { KmsErrorCode.InvalidEventCategory, 42, "InvalidEventCategoryException", 400 },
        { KmsErrorCode.RequestTimeout, 43, "RequestTimeoutException", 408 },
        { KmsErrorCode.CloudHsmClusterNotFound, 44, "CloudHsmClusterNotFoundException", 400 },
        { KmsErrorCode.XksProxyUriUnreachable, 45, "XksProxyUriUnreachableException", 400 },
        { KmsErrorCode.ExpiredToken, 46, "ExpiredTokenException", 400 },
        { KmsErrorCode.CustomKeyStoreNameInUse, 70, "CustomKeyStoreNameInUseException", 400 },
        { KmsErrorCode.CustomKeyStoreInvalidState, 71, "CustomKeyStoreInvalidStateException", 400 },
        { KmsErrorCode.CustomKeyStoreHasCmks, 72, "CustomKeyStoreHasCMKsException", 400 },
        { KmsErrorCode.XksProxyUriInUse, 73, "XksProxyUriInUseException", 400 },
        { KmsErrorCode.XksProxyUriEndpointInUse, 74, "XksProxyUriEndpointInUseException", 400 },
        { KmsErrorCode.XksProxyIncorrectAuthenticationCredential, 75, "XksProxyIncorrectAuthenticationCredentialException", 400 },
        { KmsErrorCode.XksProxyInvalidResponse, 76, "XksProxyInvalidResponseException", 400 },
        { KmsErrorCode.XksProxyInvalidConfiguration, 77, "XksProxyInvalidConfigurationException", 400 },
        { KmsErrorCode.XksProxyVpcEndpointServiceNotFound, 78, "XksProxyVpcEndpointServiceNotFoundException", 400 },
        { KmsErrorCode.XksKeyInvalidConfiguration, 79, "XksKeyInvalidConfigurationException", 400 },
        { KmsErrorCode.XksKeyAlreadyInUse, 80, "XksKeyAlreadyInUseException", 400 },
        { KmsErrorCode.XksKeyNotFound, 81, "XksKeyNotFoundException", 400 },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void An_error_code_keeps_its_number(KmsErrorCode code, int number, string type, int status)
    {
        _ = type;
        _ = status;

        Assert.Equal(number, (int)code);
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void An_error_code_maps_to_its_AWS_exception_and_status(KmsErrorCode code, int number, string type, int status)
    {
        _ = number;

        var wire = WireErrors.ToWire(code);

        Assert.Equal((type, status), wire);
    }

    [Fact]
    public void The_table_covers_every_error_code()
    {
        var inTable = Table.Select(row => (KmsErrorCode)row[0]).ToHashSet();

        var all = Enum.GetValues<KmsErrorCode>();

        Assert.Equal(all.Length, inTable.Count);
        Assert.All(all, code => Assert.Contains(code, inTable));
    }

    [Fact]
    public void Every_error_code_has_a_wire_mapping()
    {
        var all = Enum.GetValues<KmsErrorCode>();

        var unmapped = all.Where(code =>
        {
            try
            {
                WireErrors.ToWire(code);
                return false;
            }
            catch (UnreachableException)
            {
                return true;
            }
        });

        Assert.Empty(unmapped);
    }

    [Fact]
    public void An_undefined_error_code_has_no_wire_mapping()
    {
        var exception = Assert.Throws<UnreachableException>(() => WireErrors.ToWire((KmsErrorCode)999));

        Assert.Equal("No wire mapping for 999", exception.Message);
    }
}
