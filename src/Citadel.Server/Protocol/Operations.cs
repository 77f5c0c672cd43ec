using System.Text.Json.Serialization.Metadata;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Handlers;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Responses;
using J = Citadel.Server.Protocol.KmsJsonContext;
using M = Citadel.Server.Protocol.Model.KmsModel.Inputs;

namespace Citadel.Server.Protocol;

/// <summary>
/// Every operation the server answers, declared once: its model input (generated: key member, DryRun, grant tokens,
/// encryption context, secrets, validation), its JSON, and what the pipeline does before its service (alias allowed, key
/// usage, key states, facts, checks). See <see cref="OperationSpec{T}"/> for the order the steps run in.
/// </summary>
internal static class Operations
{
    public static IReadOnlyList<Operation> Kms { get; } = Build(bindingOnly: false);

    /// <summary>The same operations stopping after binding (JSON, the model's validation, grant tokens): for the fuzz tests.</summary>
    public static IReadOnlyList<Operation> Bindings { get; } = Build(bindingOnly: true);

    private static KeyStates Crypto => KeyStates.CryptographicUse;

    private static (string, string?) AnyResource(Caller caller, object request) => ("*", null);

    private static IReadOnlyList<Operation> Build(bool bindingOnly)
    {
        Operation Serve<T, TResponse>(OperationInput<T> input, JsonTypeInfo<T> json, OperationService<T, TResponse> service, OperationSpec<T>? spec = null)
            where T : class, new()
            where TResponse : IResponse => Pipeline.Declare(input, json, service, spec ?? new(), bindingOnly);

        return
        [
            Serve(M.CreateKey, J.Default.CreateKeyRequest, CreateKeyHandler.CreateKeyAsync, new() { Identity = AnyResource, Admit = CreateKeyHandler.Admit, Facts = CreateKeyHandler.Facts }),
            Serve(M.DescribeKey, J.Default.DescribeKeyRequest, DescribeKeyHandler.DescribeKeyAsync, new() { ReadOnly = true, AliasAllowed = true }),
            Serve(M.ListKeys, J.Default.ListKeysRequest, ListKeysHandler.ListKeysAsync, new() { ReadOnly = true, Identity = AnyResource }),
            Serve(M.Encrypt, J.Default.EncryptRequest, EncryptHandler.EncryptAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto, Facts = EncryptHandler.Facts, Check = EncryptHandler.Check,
            }),
            Serve(M.Decrypt, J.Default.DecryptRequest, DecryptHandler.DecryptAsync, new()
            {
                ReadOnly = true, Validate = DecryptHandler.Validate, Admit = DecryptHandler.Admit, Facts = DecryptHandler.Facts,
                Locate = KeyLocators.DecryptAsync, Usage = KeyUsage.EncryptDecrypt, States = Crypto, Check = DecryptHandler.Check,
            }),
            Serve(M.ReEncrypt, J.Default.ReEncryptRequest, ReEncryptHandler.ReEncryptAsync, new()
            {
                ReadOnly = true, Validate = ReEncryptHandler.Validate, Facts = ReEncryptHandler.Facts,
                Action = "kms:ReEncryptFrom", Locate = KeyLocators.ReEncryptSourceAsync, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                SecondAction = "kms:ReEncryptTo", SecondAliasAllowed = true, SecondFacts = ReEncryptHandler.DestinationFacts, Check = ReEncryptHandler.Check,
            }),
            Serve(M.GenerateDataKey, J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.WithPlaintextAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto, Admit = GenerateDataKeyHandler.Admit, Check = GenerateDataKeyHandler.Check,
            }),
            Serve(M.GenerateDataKeyWithoutPlaintext, J.Default.GenerateDataKeyRequest, GenerateDataKeyHandler.WithoutPlaintextAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto, Admit = GenerateDataKeyHandler.Admit, Check = GenerateDataKeyHandler.Check,
            }),
            Serve(M.GenerateRandom, J.Default.GenerateRandomRequest, GenerateRandomHandler.GenerateRandomAsync, new()
            {
                ReadOnly = true, Admit = GenerateRandomHandler.Admit, Identity = AnyResource, Check = GenerateRandomHandler.Check,
            }),
            Serve(M.EnableKey, J.Default.KeyIdRequest, EnableKeyHandler.EnableKeyAsync),
            Serve(M.DisableKey, J.Default.KeyIdRequest, DisableKeyHandler.DisableKeyAsync),
            Serve(M.ScheduleKeyDeletion, J.Default.ScheduleKeyDeletionRequest, ScheduleKeyDeletionHandler.ScheduleKeyDeletionAsync, new()
            {
                Admit = ScheduleKeyDeletionHandler.Admit, Facts = ScheduleKeyDeletionHandler.Facts,
            }),
            Serve(M.CancelKeyDeletion, J.Default.KeyIdRequest, CancelKeyDeletionHandler.CancelKeyDeletionAsync),
            Serve(M.UpdateKeyDescription, J.Default.UpdateKeyDescriptionRequest, UpdateKeyDescriptionHandler.UpdateKeyDescriptionAsync),
            Serve(M.CreateAlias, J.Default.AliasRequest, CreateAliasHandler.CreateAliasAsync, new()
            {
                Admit = AliasSteps.AdmitTarget, BeforeState = AliasSteps.CheckTargetAccount, States = KeyStates.Manageable,
                AliasResource = AliasSteps.AliasArn,
            }),
            Serve(M.UpdateAlias, J.Default.AliasRequest, UpdateAliasHandler.UpdateAliasAsync, new()
            {
                Admit = AliasSteps.AdmitName, Locate = KeyLocators.UpdateAliasTargetAsync, BeforeState = AliasSteps.CheckTargetAccount, States = KeyStates.Manageable,
                AliasResource = AliasSteps.AliasArn, SecondAction = "kms:UpdateAlias", LocateSecond = KeyLocators.CurrentAliasKeyAsync,
                Check = UpdateAliasHandler.Check,
            }),
            Serve(M.DeleteAlias, J.Default.AliasRequest, DeleteAliasHandler.DeleteAliasAsync, new()
            {
                Admit = AliasSteps.AdmitName, Locate = KeyLocators.AliasKeyAsync, AliasResource = AliasSteps.AliasArn,
            }),
            Serve(M.ListAliases, J.Default.ListAliasesRequest, ListAliasesHandler.ListAliasesAsync, new() { ReadOnly = true, Identity = AnyResource }),
            Serve(M.TagResource, J.Default.TagResourceRequest, TagResourceHandler.TagResourceAsync, new() { Facts = TagResourceHandler.Facts, States = KeyStates.Manageable }),
            Serve(M.UntagResource, J.Default.UntagResourceRequest, UntagResourceHandler.UntagResourceAsync, new() { Facts = UntagResourceHandler.Facts, States = KeyStates.Manageable }),
            Serve(M.ListResourceTags, J.Default.ListResourceTagsRequest, ListResourceTagsHandler.ListResourceTagsAsync, new() { ReadOnly = true }),
            Serve(M.EnableKeyRotation, J.Default.EnableKeyRotationRequest, EnableKeyRotationHandler.EnableKeyRotationAsync, new() { Facts = EnableKeyRotationHandler.Facts }),
            Serve(M.DisableKeyRotation, J.Default.KeyIdRequest, DisableKeyRotationHandler.DisableKeyRotationAsync),
            Serve(M.GetKeyRotationStatus, J.Default.KeyIdRequest, GetKeyRotationStatusHandler.GetKeyRotationStatusAsync, new()
            {
                ReadOnly = true, States = KeyStates.NotPendingDeletion, Check = GetKeyRotationStatusHandler.Check,
            }),
            Serve(M.RotateKeyOnDemand, J.Default.KeyIdRequest, RotateKeyOnDemandHandler.RotateKeyOnDemandAsync),
            Serve(M.ListKeyRotations, J.Default.ListKeyRotationsRequest, ListKeyRotationsHandler.ListKeyRotationsAsync, new()
            {
                ReadOnly = true, States = KeyStates.NotPendingDeletion, Check = ListKeyRotationsHandler.Check,
            }),
            Serve(M.PutKeyPolicy, J.Default.PutKeyPolicyRequest, PutKeyPolicyHandler.PutKeyPolicyAsync, new()
            {
                Facts = PutKeyPolicyHandler.Facts, BeforeState = PutKeyPolicyHandler.BeforeState, States = KeyStates.Manageable,
            }),
            Serve(M.GetKeyPolicy, J.Default.GetKeyPolicyRequest, GetKeyPolicyHandler.GetKeyPolicyAsync, new() { ReadOnly = true }),
            Serve(M.ListKeyPolicies, J.Default.ListKeyPoliciesRequest, ListKeyPoliciesHandler.ListKeyPoliciesAsync, new() { ReadOnly = true }),
            Serve(M.CreateGrant, J.Default.CreateGrantRequest, CreateGrantHandler.CreateGrantAsync, new()
            {
                Admit = CreateGrantHandler.Admit, Facts = CreateGrantHandler.Facts, BeforeState = CreateGrantHandler.BeforeState, States = Crypto,
            }),
            Serve(M.ListGrants, J.Default.ListGrantsRequest, ListGrantsHandler.ListGrantsAsync, new() { ReadOnly = true }),
            Serve(M.ListRetirableGrants, J.Default.ListRetirableGrantsRequest, ListRetirableGrantsHandler.ListRetirableGrantsAsync, new() { ReadOnly = true, Identity = ListRetirableGrantsHandler.Resource }),
            Serve(M.RetireGrant, J.Default.RetireGrantRequest, RetireGrantHandler.RetireGrantAsync, new()
            {
                Locate = KeyLocators.RetiredGrantAsync, Authorize = GrantRetirement.AuthorizeAsync,
            }),
            Serve(M.RevokeGrant, J.Default.RevokeGrantRequest, RevokeGrantHandler.RevokeGrantAsync, new() { Check = RevokeGrantHandler.Check }),
            Serve(M.GetKeyLastUsage, J.Default.GetKeyLastUsageRequest, GetKeyLastUsageHandler.GetKeyLastUsageAsync, new() { ReadOnly = true }),
            Serve(LookupEventsHandler.Input, J.Default.LookupEventsRequest, LookupEventsHandler.LookupEventsAsync, new()
            {
                Service = "cloudtrail", ReadOnly = true, Validate = LookupEventsHandler.Validate, Admit = LookupEventsHandler.Admit, Identity = AnyResource,
            }),
            Serve(GetAuditChainStatusHandler.Input, J.Default.GetAuditChainStatusRequest, GetAuditChainStatusHandler.GetAuditChainStatusAsync, new()
            {
                Service = "citadel", ReadOnly = true, Identity = AnyResource,
            }),
            Serve(M.Sign, J.Default.SignRequest, SignHandler.SignAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.SignVerify, States = Crypto, Facts = SignHandler.Facts, Check = SignHandler.Check,
            }),
            Serve(M.Verify, J.Default.VerifyRequest, VerifyHandler.VerifyAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.SignVerify, States = Crypto, Facts = VerifyHandler.Facts, Check = VerifyHandler.Check,
            }),
            Serve(M.GenerateMac, J.Default.MacRequest, MacHandlers.GenerateMacAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.GenerateVerifyMac, States = Crypto, Facts = MacHandlers.Facts, Check = MacHandlers.Check,
            }),
            Serve(M.VerifyMac, J.Default.MacRequest, MacHandlers.VerifyMacAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.GenerateVerifyMac, States = Crypto, Facts = MacHandlers.Facts, Check = MacHandlers.Check,
            }),
            Serve(M.DeriveSharedSecret, J.Default.DeriveSharedSecretRequest, DeriveSharedSecretHandler.DeriveSharedSecretAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.KeyAgreement, States = Crypto,
                Admit = DeriveSharedSecretHandler.Admit, Facts = DeriveSharedSecretHandler.Facts,
            }),
            Serve(M.GetPublicKey, J.Default.GetPublicKeyRequest, GetPublicKeyHandler.GetPublicKeyAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, States = Crypto, Check = GetPublicKeyHandler.Check,
            }),
            Serve(M.GenerateDataKeyPair, J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.WithPlaintextAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Admit = GenerateDataKeyPairHandler.Admit, Facts = GenerateDataKeyPairHandler.Facts, Check = GenerateDataKeyPairHandler.Check,
            }),
            Serve(M.GenerateDataKeyPairWithoutPlaintext, J.Default.GenerateDataKeyPairRequest, GenerateDataKeyPairHandler.WithoutPlaintextAsync, new()
            {
                ReadOnly = true, AliasAllowed = true, Usage = KeyUsage.EncryptDecrypt, States = Crypto,
                Admit = GenerateDataKeyPairHandler.Admit, Facts = GenerateDataKeyPairHandler.Facts, Check = GenerateDataKeyPairHandler.Check,
            }),
            Serve(M.GetParametersForImport, J.Default.GetParametersForImportRequest, GetParametersForImportHandler.GetParametersForImportAsync, new()
            {
                ReadOnly = true, Facts = GetParametersForImportHandler.Facts, Check = GetParametersForImportHandler.Check,
            }),
            Serve(M.ImportKeyMaterial, J.Default.ImportKeyMaterialRequest, ImportKeyMaterialHandler.ImportKeyMaterialAsync, new()
            {
                Admit = ImportKeyMaterialHandler.Admit, Facts = ImportKeyMaterialHandler.Facts, Check = ImportKeyMaterialHandler.Check,
            }),
            Serve(M.DeleteImportedKeyMaterial, J.Default.DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialHandler.DeleteImportedKeyMaterialAsync, new() { Check = DeleteImportedKeyMaterialHandler.Check }),
            Serve(M.DescribeCustomKeyStores, J.Default.DescribeCustomKeyStoresRequest, CustomKeyStoreHandlers.DescribeAsync, new() { ReadOnly = true, Identity = AnyResource }),
            Serve(M.CreateCustomKeyStore, J.Default.CustomKeyStoreSettingsRequest, CustomKeyStoreHandlers.CreateAsync, new() { Identity = AnyResource }),
            Serve(M.UpdateCustomKeyStore, J.Default.CustomKeyStoreSettingsRequest, CustomKeyStoreHandlers.UpdateAsync, new() { Identity = AnyResource }),
            Serve(M.ConnectCustomKeyStore, J.Default.CustomKeyStoreIdRequest, CustomKeyStoreHandlers.ConnectAsync, new() { Identity = AnyResource }),
            Serve(M.DisconnectCustomKeyStore, J.Default.CustomKeyStoreIdRequest, CustomKeyStoreHandlers.DisconnectAsync, new() { Identity = AnyResource }),
            Serve(M.DeleteCustomKeyStore, J.Default.CustomKeyStoreIdRequest, CustomKeyStoreHandlers.DeleteAsync, new() { Identity = AnyResource }),
            Serve(M.ReplicateKey, J.Default.MultiRegionRequest, MultiRegionHandlers.ReplicateKeyAsync, new()
            {
                Facts = MultiRegionHandlers.ReplicateFacts, BeforeState = MultiRegionHandlers.CheckReplicable, States = KeyStates.Manageable,
                KeyIdentity = MultiRegionHandlers.ReplicaRegionActions,
            }),
            Serve(M.UpdatePrimaryRegion, J.Default.MultiRegionRequest, MultiRegionHandlers.UpdatePrimaryRegionAsync, new()
            {
                BeforeState = MultiRegionHandlers.CheckMultiRegion, SecondAction = "kms:UpdatePrimaryRegion", LocateSecond = KeyLocators.NewPrimaryAsync,
            }),
        ];
    }
}
