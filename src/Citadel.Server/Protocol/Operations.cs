using Citadel.Server.Handlers;
using J = Citadel.Server.Protocol.KmsJsonContext;

namespace Citadel.Server.Protocol;

/// <summary>Every operation the server answers, bound to its request shape, validation and handler.</summary>
internal static class Operations
{
    public static IReadOnlyList<Operation> Kms { get; } =
    [
        new("CreateKey", "kms", false, KmsEndpoint.Bind(J.Default.CreateKeyRequest, CreateKeyHandler.HandleAsync)),
        new("DescribeKey", "kms", true, KmsEndpoint.Bind(J.Default.DescribeKeyRequest, DescribeKeyHandler.HandleAsync)),
        new("ListKeys", "kms", true, KmsEndpoint.Bind(J.Default.ListKeysRequest, ListKeysHandler.HandleAsync)),
        new("Encrypt", "kms", true, KmsEndpoint.Bind(J.Default.EncryptRequest, EncryptHandler.HandleAsync)),
        new("Decrypt", "kms", true, KmsEndpoint.Bind(J.Default.DecryptRequest, DecryptHandler.Validate, DecryptHandler.HandleAsync)),
        new("ReEncrypt", "kms", true, KmsEndpoint.Bind(J.Default.ReEncryptRequest, ReEncryptHandler.Validate, ReEncryptHandler.HandleAsync)),
        new("GenerateDataKey", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.WithPlaintextAsync)),
        new("GenerateDataKeyWithoutPlaintext", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.WithoutPlaintextAsync)),
        new("GenerateRandom", "kms", true, KmsEndpoint.Bind(J.Default.GenerateRandomRequest, GenerateRandomHandler.HandleAsync)),
        new("EnableKey", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, EnableKeyHandler.HandleAsync)),
        new("DisableKey", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, DisableKeyHandler.HandleAsync)),
        new("ScheduleKeyDeletion", "kms", false, KmsEndpoint.Bind(J.Default.ScheduleKeyDeletionRequest, ScheduleKeyDeletionHandler.HandleAsync)),
        new("CancelKeyDeletion", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, CancelKeyDeletionHandler.HandleAsync)),
        new("UpdateKeyDescription", "kms", false, KmsEndpoint.Bind(J.Default.UpdateKeyDescriptionRequest, UpdateKeyDescriptionHandler.HandleAsync)),
        new("CreateAlias", "kms", false, KmsEndpoint.Bind(J.Default.AliasRequest, CreateAliasHandler.HandleAsync)),
        new("UpdateAlias", "kms", false, KmsEndpoint.Bind(J.Default.AliasRequest, UpdateAliasHandler.HandleAsync)),
        new("DeleteAlias", "kms", false, KmsEndpoint.Bind(J.Default.AliasRequest, DeleteAliasHandler.HandleAsync)),
        new("ListAliases", "kms", true, KmsEndpoint.Bind(J.Default.ListAliasesRequest, ListAliasesHandler.HandleAsync)),
        new("TagResource", "kms", false, KmsEndpoint.Bind(J.Default.TagResourceRequest, TagResourceHandler.HandleAsync)),
        new("UntagResource", "kms", false, KmsEndpoint.Bind(J.Default.UntagResourceRequest, UntagResourceHandler.HandleAsync)),
        new("ListResourceTags", "kms", true, KmsEndpoint.Bind(J.Default.ListResourceTagsRequest, ListResourceTagsHandler.HandleAsync)),
        new("EnableKeyRotation", "kms", false, KmsEndpoint.Bind(J.Default.EnableKeyRotationRequest, EnableKeyRotationHandler.HandleAsync)),
        new("DisableKeyRotation", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, DisableKeyRotationHandler.HandleAsync)),
        new("GetKeyRotationStatus", "kms", true, KmsEndpoint.Bind(J.Default.KeyIdRequest, GetKeyRotationStatusHandler.HandleAsync)),
        new("RotateKeyOnDemand", "kms", false, KmsEndpoint.Bind(J.Default.KeyIdRequest, RotateKeyOnDemandHandler.HandleAsync)),
        new("ListKeyRotations", "kms", true, KmsEndpoint.Bind(J.Default.ListKeyRotationsRequest, ListKeyRotationsHandler.HandleAsync)),
        new("PutKeyPolicy", "kms", false, KmsEndpoint.Bind(J.Default.PutKeyPolicyRequest, PutKeyPolicyHandler.HandleAsync)),
        new("GetKeyPolicy", "kms", true, KmsEndpoint.Bind(J.Default.GetKeyPolicyRequest, GetKeyPolicyHandler.HandleAsync)),
        new("ListKeyPolicies", "kms", true, KmsEndpoint.Bind(J.Default.ListKeyPoliciesRequest, ListKeyPoliciesHandler.HandleAsync)),
        new("CreateGrant", "kms", false, KmsEndpoint.Bind(J.Default.CreateGrantRequest, CreateGrantHandler.HandleAsync)),
        new("ListGrants", "kms", true, KmsEndpoint.Bind(J.Default.ListGrantsRequest, ListGrantsHandler.HandleAsync)),
        new("ListRetirableGrants", "kms", true, KmsEndpoint.Bind(J.Default.ListRetirableGrantsRequest, ListRetirableGrantsHandler.HandleAsync)),
        new("RetireGrant", "kms", false, KmsEndpoint.Bind(J.Default.RetireGrantRequest, RetireGrantHandler.HandleAsync)),
        new("RevokeGrant", "kms", false, KmsEndpoint.Bind(J.Default.RevokeGrantRequest, RevokeGrantHandler.HandleAsync)),
        new("GetKeyLastUsage", "kms", true, KmsEndpoint.Bind(J.Default.GetKeyLastUsageRequest, GetKeyLastUsageHandler.HandleAsync)),
        new("LookupEvents", "cloudtrail", true, KmsEndpoint.Bind(J.Default.LookupEventsRequest, LookupEventsHandler.Validate, LookupEventsHandler.HandleAsync)),
        new("Sign", "kms", true, KmsEndpoint.Bind(J.Default.SignRequest, SignHandler.HandleAsync)),
        new("Verify", "kms", true, KmsEndpoint.Bind(J.Default.VerifyRequest, VerifyHandler.HandleAsync)),
        new("GenerateMac", "kms", true, KmsEndpoint.Bind(J.Default.MacRequest, MacHandlers.GenerateAsync)),
        new("VerifyMac", "kms", true, KmsEndpoint.Bind(J.Default.MacRequest, MacHandlers.VerifyAsync)),
        new("DeriveSharedSecret", "kms", true, KmsEndpoint.Bind(J.Default.DeriveSharedSecretRequest, DeriveSharedSecretHandler.HandleAsync)),
        new("GetPublicKey", "kms", true, KmsEndpoint.Bind(J.Default.GetPublicKeyRequest, GetPublicKeyHandler.HandleAsync)),
        new("GenerateDataKeyPair", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.WithPlaintextAsync)),
        new("GenerateDataKeyPairWithoutPlaintext", "kms", true, KmsEndpoint.Bind(J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.WithoutPlaintextAsync)),
        new("GetParametersForImport", "kms", true, KmsEndpoint.Bind(J.Default.GetParametersForImportRequest, GetParametersForImportHandler.HandleAsync)),
        new("ImportKeyMaterial", "kms", false, KmsEndpoint.Bind(J.Default.ImportKeyMaterialRequest, ImportKeyMaterialHandler.HandleAsync)),
        new("DeleteImportedKeyMaterial", "kms", false, KmsEndpoint.Bind(J.Default.DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialHandler.HandleAsync)),
    ];
}
