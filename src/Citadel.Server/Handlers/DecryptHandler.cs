using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>Decrypt: the ciphertext names its key, so KeyId is optional for symmetric keys.</summary>
internal static class DecryptHandler
{
    public static void Validate(DecryptRequest r, ref Validation v)
    {
        v.Required(r.CiphertextBlob, "ciphertextBlob");
        v.BlobLength(r.CiphertextBlob, "ciphertextBlob", 1, 6144);
        v.EncryptionContext(r.EncryptionContext, "encryptionContext");
        Steps.ValidateGrantTokens(r.GrantTokens, ref v);
        v.Length(r.KeyId, "keyId", 1, 2048);
        v.Enum(r.EncryptionAlgorithm, "encryptionAlgorithm", ModelEnums.EncryptionAlgorithm);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, DecryptRequest r)
    {
        if (r.Recipient is not null)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, "Recipient (AWS Nitro Enclaves attestation) is not supported by this server.");
        }

        ctx.Facts.EncryptionContext = r.EncryptionContext;
        ctx.Facts.EncryptionAlgorithm = r.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
        if (r.KeyId is not null && AsymmetricEncryption.IsAsymmetricAlgorithm(r.EncryptionAlgorithm))
        {
            return await AsymmetricEncryption.DecryptAsync(ctx, r);
        }

        var opened = await Ciphertexts.OpenAsync(ctx, r.CiphertextBlob!, r.EncryptionContext, r.KeyId, r.EncryptionAlgorithm, "kms:Decrypt");
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var (plaintext, key, materialId) = opened.Value;
        try
        {
            if (Steps.DryRun(r.DryRun) is { } dryRun)
            {
                return dryRun;
            }

            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Arn);
            json.WriteBase64String("Plaintext"u8, plaintext);
            json.WriteString("EncryptionAlgorithm"u8, "SYMMETRIC_DEFAULT"u8);
            json.WriteString("KeyMaterialId"u8, materialId);
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
