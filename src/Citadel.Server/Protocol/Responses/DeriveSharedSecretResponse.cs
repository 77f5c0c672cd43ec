using System.Security.Cryptography;
using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>DeriveSharedSecret's response. The shared secret is wiped once written.</summary>
internal readonly record struct DeriveSharedSecretResponse(string KeyId, byte[] SharedSecret, string KeyOrigin) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        try
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, KeyId);
            json.WriteBase64String("SharedSecret"u8, SharedSecret);
            json.WriteString("KeyAgreementAlgorithm"u8, "ECDH"u8);
            json.WriteString("KeyOrigin"u8, KeyOrigin);
            json.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(SharedSecret);
        }
    }
}
