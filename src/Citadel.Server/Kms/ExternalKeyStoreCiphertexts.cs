using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Server.Kms;

/// <summary>
/// Double encryption for keys in an external key store (<see cref="ExternalKeyStoreCiphertext"/>): the key's own material
/// first (a <see cref="SymmetricCiphertext"/>), then the external key through the proxy; decryption in the reverse order.
/// The request's audit event records the proxy call.
/// </summary>
internal static class ExternalKeyStoreCiphertexts
{
    public static async ValueTask<Result<(byte[] Blob, string MaterialId)>> SealAsync(KmsRuntime kms, Caller caller, KeyRecord key, IReadOnlyDictionary<string, string>? context, ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        var inner = new byte[SymmetricCiphertext.Overhead + plaintext.Length];
        try
        {
            var materialId = await Ciphertexts.SealIntoAsync(kms, key, context, plaintext, inner, ct);
            var sealedBlob = await kms.CustomKeyStores.SealAsync(caller, key, context, inner, ct);
            return sealedBlob.IsSuccess ? (sealedBlob.Value, materialId) : sealedBlob.Error.Value;
        }
        finally
        {
            // The inner blob is only ever sent to the proxy: no one else should hold it.
            CryptographicOperations.ZeroMemory(inner);
        }
    }

    /// <summary>The inner blob the proxy returns for <paramref name="blob"/>; the caller decrypts it with the key's material and wipes it.</summary>
    public static async ValueTask<Result<byte[]>> OpenOuterAsync(KmsRuntime kms, Caller caller, KeyRecord key, byte[] blob, IReadOnlyDictionary<string, string>? context, CancellationToken ct)
    {
        var inner = await kms.CustomKeyStores.OpenAsync(caller, key, blob, context, ct);
        if (!inner.IsSuccess)
        {
            return inner.Error.Value;
        }

        // The proxy returned someone else's inner blob (another key's): not this key's ciphertext.
        if (!SymmetricCiphertext.TryReadHeader(inner.Value, out var innerKey, out _) || innerKey != key.Id)
        {
            CryptographicOperations.ZeroMemory(inner.Value);
            return Errors.InvalidCiphertext();
        }

        return inner.Value;
    }
}
