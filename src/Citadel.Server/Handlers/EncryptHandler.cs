using System.Buffers;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
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
        v.EncryptionContext(r.EncryptionContext, "encryptionContext");
        Steps.ValidateGrantTokens(r.GrantTokens, ref v);
        v.Enum(r.EncryptionAlgorithm, "encryptionAlgorithm", ModelEnums.EncryptionAlgorithm);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, EncryptRequest r)
    {
        try
        {
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

            // The blob is only base64-encoded into the response, so it is sealed into a pooled buffer (it holds no secret).
            var blobLength = SymmetricCiphertext.Overhead + r.Plaintext!.Length;
            var blob = ArrayPool<byte>.Shared.Rent(blobLength);
            try
            {
                await Ciphertexts.SealIntoAsync(ctx, key.Value, r.EncryptionContext, r.Plaintext, blob.AsMemory(0, blobLength));
                var json = ctx.Json;
                json.WriteStartObject();
                json.WriteBase64String("CiphertextBlob"u8, blob.AsSpan(0, blobLength));
                json.WriteString("KeyId"u8, key.Value.Arn);
                json.WriteString("EncryptionAlgorithm"u8, "SYMMETRIC_DEFAULT"u8);
                json.WriteEndObject();
                return null;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(blob);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(r.Plaintext);
        }
    }
}
