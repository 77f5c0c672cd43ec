using System.Security.Cryptography;
using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>
/// GenerateDataKey's and GenerateDataKeyWithoutPlaintext's response. The data key is wiped once written; the latter
/// leaves it out (<paramref name="includePlaintext"/>).
/// </summary>
internal readonly struct GenerateDataKeyResponse(byte[] ciphertextBlob, byte[] dataKey, bool includePlaintext, string keyId, string keyMaterialId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        try
        {
            json.WriteStartObject();
            json.WriteBase64String("CiphertextBlob"u8, ciphertextBlob);
            if (includePlaintext)
            {
                json.WriteBase64String("Plaintext"u8, dataKey);
            }

            json.WriteString("KeyId"u8, keyId);
            json.WriteString("KeyMaterialId"u8, keyMaterialId);
            json.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
