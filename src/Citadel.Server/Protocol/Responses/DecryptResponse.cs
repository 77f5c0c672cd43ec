using System.Security.Cryptography;
using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>Decrypt's response. The plaintext is wiped once written; KeyMaterialId is null for an RSA ciphertext, which names none.</summary>
internal readonly struct DecryptResponse(string keyId, byte[] plaintext, string encryptionAlgorithm, string? keyMaterialId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        try
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, keyId);
            json.WriteBase64String("Plaintext"u8, plaintext);
            json.WriteString("EncryptionAlgorithm"u8, encryptionAlgorithm);
            if (keyMaterialId is not null)
            {
                json.WriteString("KeyMaterialId"u8, keyMaterialId);
            }

            json.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
