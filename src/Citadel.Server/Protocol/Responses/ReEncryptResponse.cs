using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ReEncrypt's response; the material ids are null where a ciphertext is RSA's, which names none.</summary>
internal readonly record struct ReEncryptResponse(
    byte[] CiphertextBlob,
    string SourceKeyId,
    string KeyId,
    string SourceEncryptionAlgorithm,
    string DestinationEncryptionAlgorithm,
    string? SourceKeyMaterialId,
    string? DestinationKeyMaterialId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteBase64String("CiphertextBlob"u8, CiphertextBlob);
        json.WriteString("SourceKeyId"u8, SourceKeyId);
        json.WriteString("KeyId"u8, KeyId);
        json.WriteString("SourceEncryptionAlgorithm"u8, SourceEncryptionAlgorithm);
        json.WriteString("DestinationEncryptionAlgorithm"u8, DestinationEncryptionAlgorithm);
        if (SourceKeyMaterialId is not null)
        {
            json.WriteString("SourceKeyMaterialId"u8, SourceKeyMaterialId);
        }

        if (DestinationKeyMaterialId is not null)
        {
            json.WriteString("DestinationKeyMaterialId"u8, DestinationKeyMaterialId);
        }

        json.WriteEndObject();
    }
}
