using System.Security.Cryptography;
using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GenerateDataKeyPair's and GenerateDataKeyPairWithoutPlaintext's response. The private key is wiped once written; the latter leaves it out (<paramref name="IncludePlaintext"/>).</summary>
internal readonly record struct GenerateDataKeyPairResponse(byte[] PrivateKeyCiphertextBlob, byte[] PrivateKey, bool IncludePlaintext, byte[] PublicKey, string KeyId, string KeyPairSpec, string KeyMaterialId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        try
        {
            json.WriteStartObject();
            json.WriteBase64String("PrivateKeyCiphertextBlob"u8, PrivateKeyCiphertextBlob);
            if (IncludePlaintext)
            {
                json.WriteBase64String("PrivateKeyPlaintext"u8, PrivateKey);
            }

            json.WriteBase64String("PublicKey"u8, PublicKey);
            json.WriteString("KeyId"u8, KeyId);
            json.WriteString("KeyPairSpec"u8, KeyPairSpec);
            json.WriteString("KeyMaterialId"u8, KeyMaterialId);
            json.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(PrivateKey);
        }
    }
}
