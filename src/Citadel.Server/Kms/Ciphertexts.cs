using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Kms;

/// <summary>A decrypted ciphertext: the plaintext (the caller wipes it), the key and the material version that opened it.</summary>
internal readonly record struct Opened(byte[] Plaintext, KeyRecord Key, string MaterialId);

/// <summary>Encryption and decryption under a key's material, shared by Encrypt, Decrypt, ReEncrypt and the data-key operations.</summary>
internal static class Ciphertexts
{
    /// <summary>Encrypts under the key's current material version (and, in an external key store, then through its proxy on the caller's behalf).</summary>
    public static async ValueTask<Result<(byte[] Blob, string MaterialId)>> SealAsync(KmsRuntime kms, Caller caller, KeyRecord key, IReadOnlyDictionary<string, string>? context, ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        if (key.Origin == KeyOrigin.ExternalKeyStore)
        {
            return await ExternalKeyStoreCiphertexts.SealAsync(kms, caller, key, context, plaintext, ct);
        }

        var blob = new byte[SymmetricCiphertext.Overhead + plaintext.Length];
        var materialId = await SealIntoAsync(kms, key, context, plaintext, blob, ct);
        return (blob, materialId);
    }

    /// <summary>As <see cref="SealAsync"/>, into <paramref name="blob"/> (<see cref="SymmetricCiphertext.Overhead"/> + plaintext length bytes); returns the material id.</summary>
    public static async ValueTask<string> SealIntoAsync(KmsRuntime kms, KeyRecord key, IReadOnlyDictionary<string, string>? context, ReadOnlyMemory<byte> plaintext, Memory<byte> blob, CancellationToken ct)
    {
        using var material = await kms.Materials.AcquireAsync(key, key.CurrentMaterialVersion, ct)
            ?? throw new InvalidOperationException($"Key {key.Id} has no material version {key.CurrentMaterialVersion}.");
        SymmetricCiphertext.EncryptInto(material.Material, key.Id, key.CurrentMaterialVersion, context, plaintext.Span, blob.Span);
        return material.MaterialId;
    }

    /// <summary>
    /// Decrypts a symmetric ciphertext with the key the pipeline located, resolved and checked (<see cref="KeyLocators"/>):
    /// the blob's material version, then AES-GCM with the context as associated data. The caller wipes the plaintext.
    /// </summary>
    public static async ValueTask<Result<Opened>> OpenAsync(KmsRuntime kms, Caller caller, KeyRecord key, byte[] blob, IReadOnlyDictionary<string, string>? context, CancellationToken ct)
    {
        if (key.Origin == KeyOrigin.ExternalKeyStore)
        {
            var inner = await ExternalKeyStoreCiphertexts.OpenOuterAsync(kms, caller, key, blob, context, ct);
            if (!inner.IsSuccess)
            {
                return inner.Error.Value;
            }

            try
            {
                return await OpenMaterialAsync(kms, key, inner.Value, context, ct);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(inner.Value);
            }
        }

        return await OpenMaterialAsync(kms, key, blob, context, ct);
    }

    private static async ValueTask<Result<Opened>> OpenMaterialAsync(KmsRuntime kms, KeyRecord key, byte[] blob, IReadOnlyDictionary<string, string>? context, CancellationToken ct)
    {
        if (!SymmetricCiphertext.TryReadHeader(blob, out _, out var version))
        {
            return Errors.InvalidCiphertext();
        }

        using var material = await kms.Materials.AcquireAsync(key, version, ct);
        if (material is not { } handle)
        {
            return Errors.InvalidCiphertext();
        }

        var plaintext = SymmetricCiphertext.Decrypt(handle.Material, blob, context);
        if (plaintext is null)
        {
            return Errors.InvalidCiphertext();
        }

        return new Opened(plaintext, key, handle.MaterialId);
    }

    /// <summary>The RSAES-OAEP algorithms of RSA ENCRYPT_DECRYPT keys; any other names a symmetric ciphertext.</summary>
    public static bool IsAsymmetricAlgorithm(string? algorithm) => algorithm is "RSAES_OAEP_SHA_1" or "RSAES_OAEP_SHA_256";

    /// <summary>A symmetric key used with SYMMETRIC_DEFAULT (or no algorithm named); its usage and state the pipeline has checked.</summary>
    public static KmsError? CheckSymmetricAlgorithm(KeyRecord key, string? algorithm) =>
        algorithm is not null && algorithm != "SYMMETRIC_DEFAULT"
            ? Errors.InvalidKeyUsage($"Algorithm {algorithm} is incompatible with key spec {Core.WireNames.Of(key.Spec)}.")
            : null;

    /// <summary>
    /// What Encrypt, ReEncrypt's destination and the data-key operations need of a key that takes a symmetric ciphertext:
    /// the algorithm, then a SYMMETRIC_DEFAULT spec (an RSA ENCRYPT_DECRYPT key's material is a key pair) — refused with
    /// <paramref name="notSymmetric"/>'s message, the operation's own wording (built only then: this is the hot path).
    /// </summary>
    public static KmsError? CheckSymmetricKey(KeyRecord key, string? algorithm, Func<KeyRecord, string> notSymmetric) =>
        CheckSymmetricAlgorithm(key, algorithm)
        ?? (key.Spec != KeySpec.SymmetricDefault ? Errors.InvalidKeyUsage(notSymmetric(key)) : null);

    /// <summary>Encrypt's and ReEncrypt's wording for a key whose spec is not SYMMETRIC_DEFAULT.</summary>
    public static string IncompatibleWithSymmetricDefault(KeyRecord key) => $"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {Core.WireNames.Of(key.Spec)}.";
}
