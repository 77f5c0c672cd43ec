using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>Encrypt: up to 4 KiB of plaintext under a symmetric key, bound to the encryption context.</summary>
internal static class EncryptHandler
{
    public static void Validate(EncryptRequest r, ref Validation v)
    {
        Steps.ValidateKeyId(r.KeyId, "keyId", ref v);
        v.Required(r.Plaintext, "plaintext");
        v.BlobLength(r.Plaintext, "plaintext", 1, 4096);
        v.MapValuesNotNull(r.EncryptionContext, "encryptionContext");
        Steps.ValidateGrantTokens(r.GrantTokens, ref v);
        v.Enum(r.EncryptionAlgorithm, "encryptionAlgorithm", ModelEnums.EncryptionAlgorithm);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, EncryptRequest r)
    {
        try
        {
            if (GrantSteps.CheckTokens(r.GrantTokens) is { } badToken)
            {
                return badToken;
            }

            ctx.Facts.EncryptionContext = r.EncryptionContext;
            ctx.Facts.EncryptionAlgorithm = r.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
            var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: true);
            if (!key.IsSuccess)
            {
                return key.Error;
            }

            if (Core.Keys.KeySpecRules.IsAsymmetric(key.Value.Spec))
            {
                return await AsymmetricEncryption.EncryptAsync(ctx, key.Value, r);
            }

            if ((Steps.CheckSymmetricUse(ctx, key.Value, r.EncryptionAlgorithm) ?? Steps.DryRun(r.DryRun)) is { } refused)
            {
                return refused;
            }

            var (blob, _) = await Ciphertexts.SealAsync(ctx, key.Value, r.EncryptionContext, r.Plaintext);
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteBase64String("CiphertextBlob"u8, blob);
            json.WriteString("KeyId"u8, key.Value.Arn);
            json.WriteString("EncryptionAlgorithm"u8, "SYMMETRIC_DEFAULT"u8);
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(r.Plaintext);
        }
    }
}
