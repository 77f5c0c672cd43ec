using Citadel.Core;
using Citadel.Core.CustomKeyStores;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;

namespace Citadel.Server.Handlers;

/// <summary>
/// CreateKey's and GenerateDataKeyPair's rules for keys in custom key stores (KMS API reference, CreateKey: Origin,
/// CustomKeyStoreId, XksKeyId; "Create a KMS key in external key stores").
/// </summary>
internal static class ExternalStoreKeys
{
    /// <summary>What CreateKey needs before any store is read: the origin, store and external key go together; only symmetric encryption keys, single-Region.</summary>
    public static KmsError? Admit(KeyOrigin origin, string? storeId, string? xksKeyId, KeySpec spec, KeyUsage? usage, bool multiRegion)
    {
        if (origin == KeyOrigin.AwsCloudHsm)
        {
            // No CloudHSM key store can exist on this server (docs/external-key-stores.md).
            return new KmsError(KmsErrorCode.CustomKeyStoreNotFound, "The request was rejected because KMS cannot find a custom key store with the specified key store name or ID.");
        }

        if (origin != KeyOrigin.ExternalKeyStore)
        {
            return storeId is not null
                ? Errors.Validation("CustomKeyStoreId is valid only with Origin EXTERNAL_KEY_STORE or AWS_CLOUDHSM.")
                : xksKeyId is not null ? Errors.Validation("XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.") : null;
        }

        if (storeId is null || xksKeyId is null)
        {
            return Errors.Validation("A KMS key with Origin EXTERNAL_KEY_STORE needs a CustomKeyStoreId and an XksKeyId.");
        }

        if (spec != KeySpec.SymmetricDefault || (usage ?? KeyUsage.EncryptDecrypt) != KeyUsage.EncryptDecrypt || multiRegion)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"KMS keys in an external key store must be single-Region symmetric encryption keys (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT); {WireNames.Of(spec)} is not possible.");
        }

        return null;
    }

    /// <summary>The key in the store, checked against the proxy's metadata; the audit event records the proxy call.</summary>
    public static async ValueTask<Result<XksKeyBinding>> CreateAsync(KmsRuntime kms, Caller caller, string storeId, string xksKeyId, KeyRecord key, KeyMaterialRecord material, IReadOnlyList<Tag> tags, CancellationToken ct)
    {
        return await kms.CustomKeyStores.CreateKeyAsync(caller, storeId, xksKeyId, key, material, tags, ct);
    }

    /// <summary>GenerateDataKeyPair(WithoutPlaintext): keys in custom key stores cannot make asymmetric data key pairs (AWS's rule).</summary>
    public static KmsError? CheckNoDataKeyPair(KeyRecord key) => key.Origin == KeyOrigin.ExternalKeyStore
        ? new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} is in a custom key store, and KMS keys in custom key stores cannot generate asymmetric data key pairs.")
        : null;
}
