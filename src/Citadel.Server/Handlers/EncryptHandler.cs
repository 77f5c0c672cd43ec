using System.Buffers;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>Encrypt: up to 4 KiB of plaintext under a symmetric key, bound to the encryption context.</summary>
internal static class EncryptHandler
{
    public static void Facts(RequestFacts facts, EncryptRequest r) => facts.EncryptionAlgorithm = r.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";

    /// <summary>The algorithm against the key (and, for RSA, the plaintext's size); usage and state the pipeline has checked.</summary>
    public static KmsError? Check(RequestContext ctx, EncryptRequest r, KeyRecord? key) => KeySpecRules.IsAsymmetric(key!.Spec)
        ? AsymmetricEncryption.CheckEncryption(key, r.EncryptionAlgorithm, r.Plaintext!.Length)
        : Ciphertexts.CheckSymmetricKey(key, r.EncryptionAlgorithm, Ciphertexts.IncompatibleWithSymmetricDefault);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, EncryptRequest r, KeyRecord? key)
    {
        try
        {
            if (KeySpecRules.IsAsymmetric(key!.Spec))
            {
                return await AsymmetricEncryption.EncryptAsync(ctx, key, r);
            }

            if (key.Origin == KeyOrigin.ExternalKeyStore)
            {
                var sealedBlob = await Ciphertexts.SealAsync(ctx, key, r.EncryptionContext, r.Plaintext);
                return sealedBlob.IsSuccess ? WriteResponse(ctx, key, sealedBlob.Value.Blob) : sealedBlob.Error;
            }

            // The blob is only base64-encoded into the response, so it is sealed into a pooled buffer (it holds no secret).
            var blobLength = SymmetricCiphertext.Overhead + r.Plaintext!.Length;
            var blob = ArrayPool<byte>.Shared.Rent(blobLength);
            try
            {
                await Ciphertexts.SealIntoAsync(ctx, key, r.EncryptionContext, r.Plaintext, blob.AsMemory(0, blobLength));
                return WriteResponse(ctx, key, blob.AsSpan(0, blobLength));
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

    private static KmsError? WriteResponse(RequestContext ctx, KeyRecord key, ReadOnlySpan<byte> blob)
    {
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteBase64String("CiphertextBlob"u8, blob);
        json.WriteString("KeyId"u8, key.Arn);
        json.WriteString("EncryptionAlgorithm"u8, "SYMMETRIC_DEFAULT"u8);
        json.WriteEndObject();
        return null;
    }
}
