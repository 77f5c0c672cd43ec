using System.Buffers;
using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>
/// Encrypt's response. The blob holds no secret; a symmetric one is sealed into a buffer rented from the shared pool
/// (<paramref name="pooled"/>), which writing returns.
/// </summary>
internal readonly struct EncryptResponse(byte[] blob, int blobLength, string keyId, string encryptionAlgorithm, bool pooled) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        try
        {
            json.WriteStartObject();
            json.WriteBase64String("CiphertextBlob"u8, blob.AsSpan(0, blobLength));
            json.WriteString("KeyId"u8, keyId);
            json.WriteString("EncryptionAlgorithm"u8, encryptionAlgorithm);
            json.WriteEndObject();
        }
        finally
        {
            if (pooled)
            {
                ArrayPool<byte>.Shared.Return(blob);
            }
        }
    }
}
