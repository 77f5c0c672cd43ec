using System.Security.Cryptography;
using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GenerateRandom's response. The random bytes are wiped once written.</summary>
internal readonly record struct GenerateRandomResponse(byte[] Plaintext) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        try
        {
            json.WriteStartObject();
            json.WriteBase64String("Plaintext"u8, Plaintext);
            json.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(Plaintext);
        }
    }
}
