using System.Text.Json;
using Citadel.Core;
using Citadel.Core.CustomKeyStores;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol;

/// <summary>Writes KeyMetadata (the KMS model's structure) for DescribeKey and CreateKey.</summary>
internal static class KeyMetadataWriter
{
    /// <param name="json">The writer.</param>
    /// <param name="key">The key.</param>
    /// <param name="expirationModel">ExpirationModel of a key with imported material (see <see cref="ImportRules.Expiration"/>).</param>
    /// <param name="validTo">ValidTo of a key with imported material that expires.</param>
    /// <param name="binding">The external key store and external key of a key in an external key store.</param>
    public static void WriteResponse(Utf8JsonWriter json, KeyRecord key, ExpirationModel? expirationModel = null, DateTimeOffset? validTo = null, XksKeyBinding? binding = null)
    {
        json.WriteStartObject();
        json.WritePropertyName("KeyMetadata"u8);
        Write(json, key, expirationModel, validTo, binding);
        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, KeyRecord key, ExpirationModel? expirationModel = null, DateTimeOffset? validTo = null, XksKeyBinding? binding = null)
    {
        json.WriteStartObject();
        json.WriteString("AWSAccountId"u8, key.AccountId);
        json.WriteString("KeyId"u8, key.Id.ToString());
        json.WriteString("Arn"u8, key.Arn);
        json.WriteEpochSeconds("CreationDate"u8, key.CreatedAt);
        json.WriteBoolean("Enabled"u8, key.State == KeyState.Enabled);
        json.WriteString("Description"u8, key.Description);
        json.WriteString("KeyUsage"u8, WireNames.Of(key.Usage));
        json.WriteString("KeyState"u8, WireNames.Of(key.State));
        if (key.DeletionDate is { } deletion)
        {
            json.WriteEpochSeconds("DeletionDate"u8, deletion);
        }

        if (validTo is { } to)
        {
            json.WriteEpochSeconds("ValidTo"u8, to);
        }

        json.WriteString("Origin"u8, WireNames.Of(key.Origin));
        if (binding is not null)
        {
            json.WriteString("CustomKeyStoreId"u8, binding.CustomKeyStoreId);
            json.WriteStartObject("XksKeyConfiguration"u8);
            json.WriteString("Id"u8, binding.XksKeyId);
            json.WriteEndObject();
        }

        if (expirationModel is { } model)
        {
            json.WriteString("ExpirationModel"u8, ImportWireNames.Of(model));
        }

        json.WriteString("KeyManager"u8, WireNames.Of(key.Manager));
        json.WriteString("CustomerMasterKeySpec"u8, WireNames.Of(key.Spec));
        json.WriteString("KeySpec"u8, WireNames.Of(key.Spec));
        WriteAlgorithms(json, key);

        json.WriteBoolean("MultiRegion"u8, key.IsMultiRegion);
        if (key.IsMultiRegion)
        {
            MultiRegionConfigurationWriter.Write(json, key);
        }

        if (key.PendingWindowInDays is { } window)
        {
            json.WriteNumber("PendingDeletionWindowInDays"u8, window);
        }

        if (key.CurrentKeyMaterialId.Length > 0)
        {
            json.WriteString("CurrentKeyMaterialId"u8, key.CurrentKeyMaterialId);
        }

        json.WriteEndObject();
    }

    /// <summary>EncryptionAlgorithms, SigningAlgorithms, MacAlgorithms and KeyAgreementAlgorithms: each only when the key's spec and usage have some.</summary>
    public static void WriteAlgorithms(Utf8JsonWriter json, KeyRecord key)
    {
        var encryption = KeySpecRules.EncryptionAlgorithms(key.Spec, key.Usage);
        if (encryption.Count > 0)
        {
            json.WriteStartArray("EncryptionAlgorithms"u8);
            foreach (var algorithm in encryption)
            {
                json.WriteStringValue(AlgorithmNames.Of(algorithm));
            }

            json.WriteEndArray();
        }

        var signing = KeySpecRules.SigningAlgorithms(key.Spec, key.Usage);
        if (signing.Count > 0)
        {
            json.WriteStartArray("SigningAlgorithms"u8);
            foreach (var algorithm in signing)
            {
                json.WriteStringValue(AlgorithmNames.Of(algorithm));
            }

            json.WriteEndArray();
        }

        var mac = key.Usage == KeyUsage.GenerateVerifyMac ? KeySpecRules.MacAlgorithms(key.Spec) : [];
        if (mac.Count > 0)
        {
            json.WriteStartArray("MacAlgorithms"u8);
            foreach (var algorithm in mac)
            {
                json.WriteStringValue(AlgorithmNames.Of(algorithm));
            }

            json.WriteEndArray();
        }

        if (KeySpecRules.AllowsKeyAgreement(key.Spec, key.Usage))
        {
            json.WriteStartArray("KeyAgreementAlgorithms"u8);
            json.WriteStringValue("ECDH"u8);
            json.WriteEndArray();
        }
    }
}
