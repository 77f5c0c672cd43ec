using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GenerateDataKey and GenerateDataKeyWithoutPlaintext: a random data key, returned encrypted under the KMS key (and in plaintext for the former).</summary>
internal static class GenerateDataKeyHandler
{
    public static KmsError? Admit(RequestContext ctx, GenerateDataKeyRequest r) =>
        (r.NumberOfBytes is null) == (r.KeySpec is null) ? Errors.Validation("Please specify either number of bytes or key spec.")
        : r.Recipient is not null ? Steps.RecipientUnsupported()
        : null;

    public static KmsError? Check(RequestContext ctx, GenerateDataKeyRequest r, KeyRecord? key) => Steps.CheckDataKeyEncryption(key!);

    public static ValueTask<KmsError?> WithPlaintextAsync(RequestContext ctx, GenerateDataKeyRequest r, KeyRecord? key) => HandleAsync(ctx, r, key!, includePlaintext: true);

    public static ValueTask<KmsError?> WithoutPlaintextAsync(RequestContext ctx, GenerateDataKeyRequest r, KeyRecord? key) => HandleAsync(ctx, r, key!, includePlaintext: false);

    private static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GenerateDataKeyRequest r, KeyRecord key, bool includePlaintext)
    {
        var length = r.NumberOfBytes ?? (r.KeySpec == "AES_128" ? 16 : 32);
        var dataKey = RandomNumberGenerator.GetBytes(length);
        try
        {
            var sealedKey = await Ciphertexts.SealAsync(ctx, key, r.EncryptionContext, dataKey);
            if (!sealedKey.IsSuccess)
            {
                return sealedKey.Error;
            }

            var (blob, materialId) = sealedKey.Value;
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteBase64String("CiphertextBlob"u8, blob);
            if (includePlaintext)
            {
                json.WriteBase64String("Plaintext"u8, dataKey);
            }

            json.WriteString("KeyId"u8, key.Arn);
            json.WriteString("KeyMaterialId"u8, materialId);
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
