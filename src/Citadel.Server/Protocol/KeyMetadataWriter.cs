using System.Text.Json;
using Citadel.Core;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol;

/// <summary>Writes KeyMetadata (the KMS model's structure) for DescribeKey and CreateKey.</summary>
internal static class KeyMetadataWriter
{
    public static void WriteResponse(Utf8JsonWriter json, KeyRecord key)
    {
        json.WriteStartObject();
        json.WritePropertyName("KeyMetadata"u8);
        Write(json, key);
        json.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter json, KeyRecord key)
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

        json.WriteString("Origin"u8, WireNames.Of(key.Origin));
        json.WriteString("KeyManager"u8, WireNames.Of(key.Manager));
        json.WriteString("CustomerMasterKeySpec"u8, WireNames.Of(key.Spec));
        json.WriteString("KeySpec"u8, WireNames.Of(key.Spec));
        if (key.Usage == KeyUsage.EncryptDecrypt && key.Spec == KeySpec.SymmetricDefault)
        {
            json.WriteStartArray("EncryptionAlgorithms"u8);
            json.WriteStringValue("SYMMETRIC_DEFAULT"u8);
            json.WriteEndArray();
        }

        json.WriteBoolean("MultiRegion"u8, false);
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
}
