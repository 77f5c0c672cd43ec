using System.Text.Json;
using System.Text.Json.Serialization;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Protocol;

/// <summary>
/// Source-generated JSON for every request shape: no reflection on the request path. A member or map
/// key given twice is a SerializationException: the audit trail records the body as sent, so the
/// operation must not act on one of two values the record shows.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(DescribeKeyRequest))]
[JsonSerializable(typeof(ListKeysRequest))]
[JsonSerializable(typeof(EncryptRequest))]
[JsonSerializable(typeof(DecryptRequest))]
[JsonSerializable(typeof(ReEncryptRequest))]
[JsonSerializable(typeof(GenerateDataKeyRequest))]
[JsonSerializable(typeof(GenerateRandomRequest))]
[JsonSerializable(typeof(KeyIdRequest))]
[JsonSerializable(typeof(ScheduleKeyDeletionRequest))]
[JsonSerializable(typeof(UpdateKeyDescriptionRequest))]
[JsonSerializable(typeof(AliasRequest))]
[JsonSerializable(typeof(ListAliasesRequest))]
[JsonSerializable(typeof(TagResourceRequest))]
[JsonSerializable(typeof(UntagResourceRequest))]
[JsonSerializable(typeof(ListResourceTagsRequest))]
[JsonSerializable(typeof(EnableKeyRotationRequest))]
[JsonSerializable(typeof(ListKeyRotationsRequest))]
[JsonSerializable(typeof(PutKeyPolicyRequest))]
[JsonSerializable(typeof(LookupEventsRequest))]
[JsonSerializable(typeof(GetAuditChainStatusRequest))]
[JsonSerializable(typeof(GetKeyLastUsageRequest))]
[JsonSerializable(typeof(GetKeyPolicyRequest))]
[JsonSerializable(typeof(ListKeyPoliciesRequest))]
[JsonSerializable(typeof(CreateGrantRequest))]
[JsonSerializable(typeof(ListGrantsRequest))]
[JsonSerializable(typeof(ListRetirableGrantsRequest))]
[JsonSerializable(typeof(RetireGrantRequest))]
[JsonSerializable(typeof(RevokeGrantRequest))]
[JsonSerializable(typeof(SignRequest))]
[JsonSerializable(typeof(VerifyRequest))]
[JsonSerializable(typeof(MacRequest))]
[JsonSerializable(typeof(DeriveSharedSecretRequest))]
[JsonSerializable(typeof(GetPublicKeyRequest))]
[JsonSerializable(typeof(GenerateDataKeyPairRequest))]
[JsonSerializable(typeof(GetParametersForImportRequest))]
[JsonSerializable(typeof(ImportKeyMaterialRequest))]
[JsonSerializable(typeof(DeleteImportedKeyMaterialRequest))]
[JsonSerializable(typeof(DescribeCustomKeyStoresRequest))]
[JsonSerializable(typeof(CustomKeyStoreIdRequest))]
[JsonSerializable(typeof(CustomKeyStoreSettingsRequest))]
[JsonSerializable(typeof(MultiRegionRequest))]
internal sealed partial class KmsJsonContext : JsonSerializerContext;
