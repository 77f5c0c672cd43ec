using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Handlers;
using J = Citadel.Server.Protocol.KmsJsonContext;
using M = Citadel.Server.Protocol.Model.KmsModel.Inputs;

namespace Citadel.Server.Protocol;

/// <summary>
/// Every operation the server answers, declared once: its model input (generated: key member, DryRun, grant tokens,
/// encryption context, secrets, validation), its JSON, and what the pipeline does before its handler (alias allowed, key
/// usage, key states, facts, checks). See <see cref="OperationSpec{T}"/> for the order the steps run in.
/// </summary>
internal static class Operations
{
    public static IReadOnlyList<Operation> Kms { get; } = Build(bindingOnly: false);

    /// <summary>The same operations stopping after binding (JSON, the model's validation, grant tokens): for the fuzz tests.</summary>
    public static IReadOnlyList<Operation> Bindings { get; } = Build(bindingOnly: true);

    private static KeyStates Crypto => KeyStates.CryptographicUse;

    private static (string, string?) AnyResource(RequestContext ctx, object request) => ("*", null);

    private static IReadOnlyList<Operation> Build(bool bindingOnly)
    {
        Operation Declare<T>(OperationInput<T> input, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> json, OperationSpec<T> spec)
            where T : class, new() => Pipeline.Declare(input, json, spec, bindingOnly);

        return
        [
            Declare(M.CreateKey, J.Default.CreateKeyRequest, new() { Identity = AnyResource, Admit = CreateKeyHandler.Admit, Facts = CreateKeyHandler.Facts, Handle = CreateKeyHandler.HandleAsync }),
            Declare(M.DescribeKey, J.Default.DescribeKeyRequest, new() { ReadOnly = true, AliasAllowed = true, Handle = DescribeKeyHandler.HandleAsync }),
            Declare(M.ListKeys, J.Default.ListKeysRequest, new() { ReadOnly = true, Identity = AnyResource, Handle = ListKeysHandler.HandleAsync }),
            Declare(M.Encrypt, J.Default.EncryptRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Facts = EncryptHandler.Facts, Check = EncryptHandler.Check, Handle = EncryptHandler.HandleAsync,
            }),
            Declare(M.Decrypt, J.Default.DecryptRequest, new()
            {
                ReadOnly = true, Validate = DecryptHandler.Validate, Admit = DecryptHandler.Admit, Facts = DecryptHandler.Facts,
                Locate = KeyLocators.DecryptAsync, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Check = DecryptHandler.Check, Handle = DecryptHandler.HandleAsync,
            }),
            Declare(M.ReEncrypt, J.Default.ReEncryptRequest, new()
            {
                ReadOnly = true, Validate = ReEncryptHandler.Validate, Facts = ReEncryptHandler.Facts,
                Action = "kms:ReEncryptFrom", Locate = KeyLocators.ReEncryptSourceAsync, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                SecondAction = "kms:ReEncryptTo", SecondAliasAllowed = true, SecondFacts = ReEncryptHandler.DestinationFacts,
                Check = ReEncryptHandler.Check, Handle = ReEncryptHandler.HandleAsync,
            }),
            Declare(M.GenerateDataKey, J.Default.GenerateDataKeyRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Admit = GenerateDataKeyHandler.Admit, Check = GenerateDataKeyHandler.Check, Handle = GenerateDataKeyHandler.WithPlaintextAsync,
            }),
            Declare(M.GenerateDataKeyWithoutPlaintext, J.Default.GenerateDataKeyRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Admit = GenerateDataKeyHandler.Admit, Check = GenerateDataKeyHandler.Check, Handle = GenerateDataKeyHandler.WithoutPlaintextAsync,
            }),
            Declare(M.GenerateRandom, J.Default.GenerateRandomRequest, new()
            {
                ReadOnly = true, Admit = GenerateRandomHandler.Admit, Identity = AnyResource, Check = GenerateRandomHandler.Check, Handle = GenerateRandomHandler.HandleAsync,
            }),
            Declare(M.EnableKey, J.Default.KeyIdRequest, new() { Handle = EnableKeyHandler.HandleAsync }),
            Declare(M.DisableKey, J.Default.KeyIdRequest, new() { Handle = DisableKeyHandler.HandleAsync }),
            Declare(M.ScheduleKeyDeletion, J.Default.ScheduleKeyDeletionRequest, new()
            {
                Admit = ScheduleKeyDeletionHandler.Admit, Facts = ScheduleKeyDeletionHandler.Facts, Handle = ScheduleKeyDeletionHandler.HandleAsync,
            }),
            Declare(M.CancelKeyDeletion, J.Default.KeyIdRequest, new() { Handle = CancelKeyDeletionHandler.HandleAsync }),
            Declare(M.UpdateKeyDescription, J.Default.UpdateKeyDescriptionRequest, new() { Handle = UpdateKeyDescriptionHandler.HandleAsync }),
            Declare(M.CreateAlias, J.Default.AliasRequest, new()
            {
                Admit = AliasSteps.AdmitTarget, BeforeState = AliasSteps.CheckTargetAccount, States = KeyStates.Manageable,
                AliasResource = AliasSteps.AliasArn, Handle = CreateAliasHandler.HandleAsync,
            }),
            Declare(M.UpdateAlias, J.Default.AliasRequest, new()
            {
                Admit = AliasSteps.AdmitName, Locate = KeyLocators.UpdateAliasTargetAsync, BeforeState = AliasSteps.CheckTargetAccount, States = KeyStates.Manageable,
                AliasResource = AliasSteps.AliasArn, SecondAction = "kms:UpdateAlias", LocateSecond = KeyLocators.CurrentAliasKeyAsync,
                Check = UpdateAliasHandler.Check, Handle = UpdateAliasHandler.HandleAsync,
            }),
            Declare(M.DeleteAlias, J.Default.AliasRequest, new()
            {
                Admit = AliasSteps.AdmitName, Locate = KeyLocators.AliasKeyAsync, AliasResource = AliasSteps.AliasArn, Handle = DeleteAliasHandler.HandleAsync,
            }),
            Declare(M.ListAliases, J.Default.ListAliasesRequest, new() { ReadOnly = true, Identity = AnyResource, Handle = ListAliasesHandler.HandleAsync }),
            Declare(M.TagResource, J.Default.TagResourceRequest, new() { Facts = TagResourceHandler.Facts, States = KeyStates.Manageable, Handle = TagResourceHandler.HandleAsync }),
            Declare(M.UntagResource, J.Default.UntagResourceRequest, new() { Facts = UntagResourceHandler.Facts, States = KeyStates.Manageable, Handle = UntagResourceHandler.HandleAsync }),
            Declare(M.ListResourceTags, J.Default.ListResourceTagsRequest, new() { ReadOnly = true, Handle = ListResourceTagsHandler.HandleAsync }),
            Declare(M.EnableKeyRotation, J.Default.EnableKeyRotationRequest, new() { Facts = EnableKeyRotationHandler.Facts, Handle = EnableKeyRotationHandler.HandleAsync }),
            Declare(M.DisableKeyRotation, J.Default.KeyIdRequest, new() { Handle = DisableKeyRotationHandler.HandleAsync }),
            Declare(M.GetKeyRotationStatus, J.Default.KeyIdRequest, new()
            {
                ReadOnly = true, States = KeyStates.NotPendingDeletion, Check = GetKeyRotationStatusHandler.Check, Handle = GetKeyRotationStatusHandler.HandleAsync,
            }),
            Declare(M.RotateKeyOnDemand, J.Default.KeyIdRequest, new() { Handle = RotateKeyOnDemandHandler.HandleAsync }),
            Declare(M.ListKeyRotations, J.Default.ListKeyRotationsRequest, new()
            {
                ReadOnly = true, States = KeyStates.NotPendingDeletion, Check = ListKeyRotationsHandler.Check, Handle = ListKeyRotationsHandler.HandleAsync,
            }),
            Declare(M.PutKeyPolicy, J.Default.PutKeyPolicyRequest, new()
            {
                Facts = PutKeyPolicyHandler.Facts, BeforeState = PutKeyPolicyHandler.BeforeState, States = KeyStates.Manageable, Handle = PutKeyPolicyHandler.HandleAsync,
            }),
            Declare(M.GetKeyPolicy, J.Default.GetKeyPolicyRequest, new() { ReadOnly = true, Handle = GetKeyPolicyHandler.HandleAsync }),
            Declare(M.ListKeyPolicies, J.Default.ListKeyPoliciesRequest, new() { ReadOnly = true, Handle = ListKeyPoliciesHandler.HandleAsync }),
            Declare(M.CreateGrant, J.Default.CreateGrantRequest, new()
            {
                Admit = CreateGrantHandler.Admit, Facts = CreateGrantHandler.Facts, BeforeState = CreateGrantHandler.BeforeState, States = Crypto,
                Handle = CreateGrantHandler.HandleAsync,
            }),
            Declare(M.ListGrants, J.Default.ListGrantsRequest, new() { ReadOnly = true, Handle = ListGrantsHandler.HandleAsync }),
            Declare(M.ListRetirableGrants, J.Default.ListRetirableGrantsRequest, new() { ReadOnly = true, Identity = ListRetirableGrantsHandler.Resource, Handle = ListRetirableGrantsHandler.HandleAsync }),
            Declare(M.RetireGrant, J.Default.RetireGrantRequest, new()
            {
                Locate = KeyLocators.RetiredGrantAsync, Authorize = GrantRetirement.AuthorizeAsync, Handle = RetireGrantHandler.HandleAsync,
            }),
            Declare(M.RevokeGrant, J.Default.RevokeGrantRequest, new() { Check = RevokeGrantHandler.Check, Handle = RevokeGrantHandler.HandleAsync }),
            Declare(M.GetKeyLastUsage, J.Default.GetKeyLastUsageRequest, new() { ReadOnly = true, Handle = GetKeyLastUsageHandler.HandleAsync }),
            Declare(LookupEventsHandler.Input, J.Default.LookupEventsRequest, new()
            {
                Service = "cloudtrail", ReadOnly = true, Validate = LookupEventsHandler.Validate, Admit = LookupEventsHandler.Admit, Identity = AnyResource,
                Handle = LookupEventsHandler.HandleAsync,
            }),
            Declare(M.Sign, J.Default.SignRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.SignVerify, States = Crypto, Facts = SignHandler.Facts, Check = SignHandler.Check, Handle = SignHandler.HandleAsync,
            }),
            Declare(M.Verify, J.Default.VerifyRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.SignVerify, States = Crypto, Facts = VerifyHandler.Facts, Check = VerifyHandler.Check, Handle = VerifyHandler.HandleAsync,
            }),
            Declare(M.GenerateMac, J.Default.MacRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.GenerateVerifyMac, States = Crypto, Facts = MacHandlers.Facts, Check = MacHandlers.Check, Handle = MacHandlers.GenerateAsync,
            }),
            Declare(M.VerifyMac, J.Default.MacRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.GenerateVerifyMac, States = Crypto, Facts = MacHandlers.Facts, Check = MacHandlers.Check, Handle = MacHandlers.VerifyAsync,
            }),
            Declare(M.DeriveSharedSecret, J.Default.DeriveSharedSecretRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.KeyAgreement, States = Crypto,
                Admit = DeriveSharedSecretHandler.Admit, Facts = DeriveSharedSecretHandler.Facts, Handle = DeriveSharedSecretHandler.HandleAsync,
            }),
            Declare(M.GetPublicKey, J.Default.GetPublicKeyRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, States = Crypto, Check = GetPublicKeyHandler.Check, Handle = GetPublicKeyHandler.HandleAsync,
            }),
            Declare(M.GenerateDataKeyPair, J.Default.GenerateDataKeyPairRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Admit = GenerateDataKeyPairHandler.Admit, Facts = GenerateDataKeyPairHandler.Facts, Check = GenerateDataKeyPairHandler.Check, Handle = GenerateDataKeyPairHandler.WithPlaintextAsync,
            }),
            Declare(M.GenerateDataKeyPairWithoutPlaintext, J.Default.GenerateDataKeyPairRequest, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Admit = GenerateDataKeyPairHandler.Admit, Facts = GenerateDataKeyPairHandler.Facts, Check = GenerateDataKeyPairHandler.Check, Handle = GenerateDataKeyPairHandler.WithoutPlaintextAsync,
            }),
            Declare(M.GetParametersForImport, J.Default.GetParametersForImportRequest, new()
            {
                ReadOnly = true, Facts = GetParametersForImportHandler.Facts, Check = GetParametersForImportHandler.Check, Handle = GetParametersForImportHandler.HandleAsync,
            }),
            Declare(M.ImportKeyMaterial, J.Default.ImportKeyMaterialRequest, new()
            {
                Admit = ImportKeyMaterialHandler.Admit, Facts = ImportKeyMaterialHandler.Facts, Check = ImportKeyMaterialHandler.Check, Handle = ImportKeyMaterialHandler.HandleAsync,
            }),
            Declare(M.DeleteImportedKeyMaterial, J.Default.DeleteImportedKeyMaterialRequest, new() { Check = DeleteImportedKeyMaterialHandler.Check, Handle = DeleteImportedKeyMaterialHandler.HandleAsync }),
            Declare(M.DescribeCustomKeyStores, J.Default.DescribeCustomKeyStoresRequest, new() { ReadOnly = true, Identity = AnyResource, Handle = CustomKeyStoreHandlers.DescribeAsync }),
            Declare(M.CreateCustomKeyStore, J.Default.CustomKeyStoreSettingsRequest, new() { Identity = AnyResource, Handle = CustomKeyStoreHandlers.CreateAsync }),
            Declare(M.UpdateCustomKeyStore, J.Default.CustomKeyStoreSettingsRequest, new() { Identity = AnyResource, Handle = CustomKeyStoreHandlers.UpdateAsync }),
            Declare(M.ConnectCustomKeyStore, J.Default.CustomKeyStoreIdRequest, new() { Identity = AnyResource, Handle = CustomKeyStoreHandlers.ByIdAsync }),
            Declare(M.DisconnectCustomKeyStore, J.Default.CustomKeyStoreIdRequest, new() { Identity = AnyResource, Handle = CustomKeyStoreHandlers.ByIdAsync }),
            Declare(M.DeleteCustomKeyStore, J.Default.CustomKeyStoreIdRequest, new() { Identity = AnyResource, Handle = CustomKeyStoreHandlers.ByIdAsync }),
            Declare(M.ReplicateKey, J.Default.MultiRegionRequest, new()
            {
                Facts = MultiRegionHandlers.ReplicateFacts, BeforeState = MultiRegionHandlers.CheckReplicable, States = KeyStates.Manageable,
                KeyIdentity = MultiRegionHandlers.ReplicaRegionActions, Handle = MultiRegionHandlers.ReplicateAsync,
            }),
            Declare(M.UpdatePrimaryRegion, J.Default.MultiRegionRequest, new()
            {
                BeforeState = MultiRegionHandlers.CheckMultiRegion, SecondAction = "kms:UpdatePrimaryRegion", LocateSecond = MultiRegionHandlers.NewPrimaryAsync,
                Handle = MultiRegionHandlers.UpdatePrimaryRegionAsync,
            }),
        ];
    }
}
