using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GenerateDataKey and GenerateDataKeyWithoutPlaintext: a random data key, returned encrypted under the KMS key (and in plaintext for the former).</summary>
internal static class GenerateDataKeyHandler
{
    public static void Validate(GenerateDataKeyRequest r, ref Validation v)
    {
        Steps.ValidateKeyId(r.KeyId, "keyId", ref v);
        v.Range(r.NumberOfBytes, "numberOfBytes", 1, 1024);
        v.Enum(r.KeySpec, "keySpec", ModelEnums.DataKeySpec);
        v.EncryptionContext(r.EncryptionContext, "encryptionContext");
        Steps.ValidateGrantTokens(r.GrantTokens, ref v);
    }

    public static ValueTask<KmsError?> WithPlaintextAsync(RequestContext ctx, GenerateDataKeyRequest r) => HandleAsync(ctx, r, includePlaintext: true);

    public static ValueTask<KmsError?> WithoutPlaintextAsync(RequestContext ctx, GenerateDataKeyRequest r) => HandleAsync(ctx, r, includePlaintext: false);

    private static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GenerateDataKeyRequest r, bool includePlaintext)
    {
        if ((r.NumberOfBytes is null) == (r.KeySpec is null))
        {
            return Errors.Validation("Please specify either number of bytes or key spec.");
        }

        if (r.Recipient is not null)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, "Recipient (AWS Nitro Enclaves attestation) is not supported by this server.");
        }

        ctx.Facts.EncryptionContext = r.EncryptionContext;
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: true);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if ((Steps.CheckSymmetricUse(ctx, key.Value, null) ?? Steps.DryRun(r.DryRun)) is { } refused)
        {
            return refused;
        }

        var length = r.NumberOfBytes ?? (r.KeySpec == "AES_128" ? 16 : 32);
        var dataKey = RandomNumberGenerator.GetBytes(length);
        try
        {
            var (blob, materialId) = await Ciphertexts.SealAsync(ctx, key.Value, r.EncryptionContext, dataKey);
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteBase64String("CiphertextBlob"u8, blob);
            if (includePlaintext)
            {
                json.WriteBase64String("Plaintext"u8, dataKey);
            }

            json.WriteString("KeyId"u8, key.Value.Arn);
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
