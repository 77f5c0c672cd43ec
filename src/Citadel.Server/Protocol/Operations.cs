using Citadel.Server.Handlers;
using J = Citadel.Server.Protocol.KmsJsonContext;

namespace Citadel.Server.Protocol;

/// <summary>Every operation the server answers, bound to its request shape, validation and handler.</summary>
internal static class Operations
{
    public static IReadOnlyList<Operation> Kms { get; } =
    [
        new("CreateKey", "kms", false, KmsEndpoint.Bind(J.Default.CreateKeyRequest, CreateKeyHandler.Validate, CreateKeyHandler.HandleAsync)),
        new("DescribeKey", "kms", true, KmsEndpoint.Bind(J.Default.DescribeKeyRequest, DescribeKeyHandler.Validate, DescribeKeyHandler.HandleAsync)),
        new("ListKeys", "kms", true, KmsEndpoint.Bind(J.Default.ListKeysRequest, ListKeysHandler.Validate, ListKeysHandler.HandleAsync)),
        new("Encrypt", "kms", true, KmsEndpoint.Bind(J.Default.EncryptRequest, EncryptHandler.Validate, EncryptHandler.HandleAsync)),
        new("Decrypt", "kms", true, KmsEndpoint.Bind(J.Default.DecryptRequest, DecryptHandler.Validate, DecryptHandler.HandleAsync)),
        new("ReEncrypt", "kms", true, KmsEndpoint.Bind(J.Default.ReEncryptRequest, ReEncryptHandler.Validate, ReEncryptHandler.HandleAsync)),
        new("GenerateDataKey", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.Validate, GenerateDataKeyHandler.WithPlaintextAsync)),
        new("GenerateDataKeyWithoutPlaintext", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.Validate, GenerateDataKeyHandler.WithoutPlaintextAsync)),
        new("GenerateRandom", "kms", true, KmsEndpoint.Bind(J.Default.GenerateRandomRequest, GenerateRandomHandler.Validate, GenerateRandomHandler.HandleAsync)),
        new("EnableKey", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, EnableKeyHandler.Validate, EnableKeyHandler.HandleAsync)),
        new("DisableKey", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, DisableKeyHandler.Validate, DisableKeyHandler.HandleAsync)),
        new("ScheduleKeyDeletion", "kms", false, KmsEndpoint.Bind(J.Default.ScheduleKeyDeletionRequest, ScheduleKeyDeletionHandler.Validate, ScheduleKeyDeletionHandler.HandleAsync)),
        new("CancelKeyDeletion", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, CancelKeyDeletionHandler.Validate, CancelKeyDeletionHandler.HandleAsync)),
        new("UpdateKeyDescription", "kms", false, KmsEndpoint.Bind(J.Default.UpdateKeyDescriptionRequest, UpdateKeyDescriptionHandler.Validate, UpdateKeyDescriptionHandler.HandleAsync)),
        new("CreateAlias", "kms", false, KmsEndpoint.Bind(J.Default.AliasRequest, CreateAliasHandler.Validate, CreateAliasHandler.HandleAsync)),
        new("UpdateAlias", "kms", false, KmsEndpoint.Bind(J.Default.AliasRequest, UpdateAliasHandler.Validate, UpdateAliasHandler.HandleAsync)),
        new("DeleteAlias", "kms", false, KmsEndpoint.Bind(J.Default.AliasRequest, DeleteAliasHandler.Validate, DeleteAliasHandler.HandleAsync)),
        new("ListAliases", "kms", true, KmsEndpoint.Bind(J.Default.ListAliasesRequest, ListAliasesHandler.Validate, ListAliasesHandler.HandleAsync)),
        new("TagResource", "kms", false, KmsEndpoint.Bind(J.Default.TagResourceRequest, TagResourceHandler.Validate, TagResourceHandler.HandleAsync)),
        new("UntagResource", "kms", false, KmsEndpoint.Bind(J.Default.UntagResourceRequest, UntagResourceHandler.Validate, UntagResourceHandler.HandleAsync)),
        new("ListResourceTags", "kms", true, KmsEndpoint.Bind(J.Default.ListResourceTagsRequest, ListResourceTagsHandler.Validate, ListResourceTagsHandler.HandleAsync)),
        new("EnableKeyRotation", "kms", false, KmsEndpoint.Bind(J.Default.EnableKeyRotationRequest, EnableKeyRotationHandler.Validate, EnableKeyRotationHandler.HandleAsync)),
        new("DisableKeyRotation", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, DisableKeyRotationHandler.Validate, DisableKeyRotationHandler.HandleAsync)),
        new("GetKeyRotationStatus", "kms", true, KmsEndpoint.Bind(J.Default.KeyIdRequest, GetKeyRotationStatusHandler.Validate, GetKeyRotationStatusHandler.HandleAsync)),
        new("RotateKeyOnDemand", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, RotateKeyOnDemandHandler.Validate, RotateKeyOnDemandHandler.HandleAsync)),
        new("ListKeyRotations", "kms", true, KmsEndpoint.Bind(J.Default.ListKeyRotationsRequest, ListKeyRotationsHandler.Validate, ListKeyRotationsHandler.HandleAsync)),
        new("PutKeyPolicy", "kms", false, KmsEndpoint.Bind(J.Default.PutKeyPolicyRequest, PutKeyPolicyHandler.Validate, PutKeyPolicyHandler.HandleAsync)),
        new("GetKeyPolicy", "kms", true, KmsEndpoint.Bind(J.Default.GetKeyPolicyRequest, GetKeyPolicyHandler.Validate, GetKeyPolicyHandler.HandleAsync)),
        new("ListKeyPolicies", "kms", true, KmsEndpoint.Bind(J.Default.ListKeyPoliciesRequest, ListKeyPoliciesHandler.Validate, ListKeyPoliciesHandler.HandleAsync)),
        new("CreateGrant", "kms", false, KmsEndpoint.Bind(J.Default.CreateGrantRequest, CreateGrantHandler.Validate, CreateGrantHandler.HandleAsync)),
        new("ListGrants", "kms", true, KmsEndpoint.Bind(J.Default.ListGrantsRequest, ListGrantsHandler.Validate, ListGrantsHandler.HandleAsync)),
        new("ListRetirableGrants", "kms", true, KmsEndpoint.Bind(J.Default.ListRetirableGrantsRequest, ListRetirableGrantsHandler.Validate, ListRetirableGrantsHandler.HandleAsync)),
        new("RetireGrant", "kms", false, KmsEndpoint.Bind(J.Default.RetireGrantRequest, RetireGrantHandler.Validate, RetireGrantHandler.HandleAsync)),
        new("RevokeGrant", "kms", false, KmsEndpoint.Bind(J.Default.RevokeGrantRequest, RevokeGrantHandler.Validate, RevokeGrantHandler.HandleAsync)),
        new("GetKeyLastUsage", "kms", true, KmsEndpoint.Bind(J.Default.GetKeyLastUsageRequest, GetKeyLastUsageHandler.Validate, GetKeyLastUsageHandler.HandleAsync)),
        new("LookupEvents", "cloudtrail", true, KmsEndpoint.Bind(J.Default.LookupEventsRequest, LookupEventsHandler.Validate, LookupEventsHandler.HandleAsync)),
        new("Sign", "kms", true, KmsEndpoint.Bind(J.Default.SignRequest, SignHandler.Validate, SignHandler.HandleAsync)),
        new("Verify", "kms", true, KmsEndpoint.Bind(J.Default.VerifyRequest, VerifyHandler.Validate, VerifyHandler.HandleAsync)),
        new("GenerateMac", "kms", true, KmsEndpoint.Bind(J.Default.MacRequest, MacHandlers.ValidateGenerate, MacHandlers.GenerateAsync)),
        new("VerifyMac", "kms", true, KmsEndpoint.Bind(J.Default.MacRequest, MacHandlers.ValidateVerify, MacHandlers.VerifyAsync)),
        new("DeriveSharedSecret", "kms", true, KmsEndpoint.Bind(J.Default.DeriveSharedSecretRequest, DeriveSharedSecretHandler.Validate, DeriveSharedSecretHandler.HandleAsync)),
        new("GetPublicKey", "kms", true, KmsEndpoint.Bind(J.Default.GetPublicKeyRequest, GetPublicKeyHandler.Validate, GetPublicKeyHandler.HandleAsync)),
        new("GenerateDataKeyPair", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.Validate, GenerateDataKeyPairHandler.WithPlaintextAsync)),
        new("GenerateDataKeyPairWithoutPlaintext", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.Validate, GenerateDataKeyPairHandler.WithoutPlaintextAsync)),
        new("GetParametersForImport", "kms", true, KmsEndpoint.Bind(J.Default.GetParametersForImportRequest, GetParametersForImportHandler.Validate, GetParametersForImportHandler.HandleAsync)),
        new("ImportKeyMaterial", "kms", false, KmsEndpoint.Bind(J.Default.ImportKeyMaterialRequest, ImportKeyMaterialHandler.Validate, ImportKeyMaterialHandler.HandleAsync)),
        new("DeleteImportedKeyMaterial", "kms", false, KmsEndpoint.Bind(J.Default.DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialHandler.Validate, DeleteImportedKeyMaterialHandler.HandleAsync)),
    ];
}
