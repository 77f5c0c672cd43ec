using System.Buffers;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>Encrypt: up to 4 KiB of plaintext under a symmetric key, bound to the encryption context.</summary>
internal static class EncryptHandler
{
    public static void Facts(RequestFacts facts, EncryptRequest r) => facts.EncryptionAlgorithm = r.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";

    /// <summary>The algorithm against the key (and, for RSA, the plaintext's size); usage and state the pipeline has checked.</summary>
    public static KmsError? Check(Caller caller, EncryptRequest r, KeyRecord? key) => KeySpecRules.IsAsymmetric(key!.Spec)
        ? AsymmetricEncryption.CheckEncryption(key, r.EncryptionAlgorithm, r.Plaintext!.Length)
        : Ciphertexts.CheckSymmetricKey(key, r.EncryptionAlgorithm, Ciphertexts.IncompatibleWithSymmetricDefault);

    public static async ValueTask<Result<EncryptResponse>> EncryptAsync(KmsRuntime kms, EncryptRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        try
        {
            if (KeySpecRules.IsAsymmetric(key!.Spec))
            {
                return await AsymmetricEncryption.EncryptAsync(kms, key, r, ct);
            }

            if (key.Origin == KeyOrigin.ExternalKeyStore)
            {
                var sealedBlob = await Ciphertexts.SealAsync(kms, caller, key, r.EncryptionContext, r.Plaintext, ct);
                return sealedBlob.IsSuccess
                    ? new EncryptResponse(sealedBlob.Value.Blob, sealedBlob.Value.Blob.Length, key.Arn, "SYMMETRIC_DEFAULT", pooled: false)
                    : sealedBlob.Error.Value;
            }

            // The blob is only base64-encoded into the response, so it is sealed into a pooled buffer (it holds no secret),
            // which the response returns once written.
            var blobLength = SymmetricCiphertext.Overhead + r.Plaintext!.Length;
            var blob = ArrayPool<byte>.Shared.Rent(blobLength);
            try
            {
                await Ciphertexts.SealIntoAsync(kms, key, r.EncryptionContext, r.Plaintext, blob.AsMemory(0, blobLength), ct);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(blob);
                throw;
            }

            return new EncryptResponse(blob, blobLength, key.Arn, "SYMMETRIC_DEFAULT", pooled: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(r.Plaintext);
        }
    }
}
