using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// Encrypt and Decrypt with RSA ENCRYPT_DECRYPT keys: RSAES-OAEP ciphertexts, exactly as long as the
/// modulus, with no header, so anyone holding the public key (GetPublicKey) can make them. Decrypt
/// therefore needs KeyId and EncryptionAlgorithm. There is no encryption context: AWS supports one only
/// with symmetric keys, and it is ignored here.
/// </summary>
internal static class AsymmetricEncryption
{
    /// <summary>The algorithm against the key's spec, and the plaintext's size against what the algorithm and spec can encrypt.</summary>
    public static KmsError? CheckEncryption(KeyRecord key, string? algorithmName, int plaintextLength)
    {
        _ = AlgorithmNames.TryParse(algorithmName ?? "SYMMETRIC_DEFAULT", out EncryptionAlgorithm algorithm);
        if (KeySpecRules.CheckEncryption(key.Spec, algorithm) is { } refused)
        {
            return refused;
        }

        var max = KeySpecRules.MaxPlaintext(key.Spec, algorithm);
        return plaintextLength > max
            ? Errors.Validation($"Algorithm {AlgorithmNames.Of(algorithm)} and key spec {WireNames.Of(key.Spec)} cannot encrypt data larger than {max} bytes.")
            : null;
    }

    /// <summary>
    /// What ReEncrypt needs of an asymmetric destination before it decrypts: usage, state, algorithm (its size is
    /// checked once the plaintext is known, by <see cref="SealAsync"/>).
    /// </summary>
    public static KmsError? CheckDestination(KeyRecord key, string? algorithmName) =>
        KeySpecRules.CheckUsage(key, KeyUsage.EncryptDecrypt, "ReEncrypt")
        ?? KeyStateRules.CheckCryptographicUse(key)
        ?? CheckEncryption(key, algorithmName, plaintextLength: 0);

    /// <summary>Encrypt under an asymmetric key the pipeline has resolved, authorized and checked.</summary>
    public static async ValueTask<Result<EncryptResponse>> EncryptAsync(KmsRuntime kms, KeyRecord key, EncryptRequest r, CancellationToken ct)
    {
        var sealedBlob = await SealAsync(kms, key, r.EncryptionAlgorithm, r.Plaintext!, ct);
        if (!sealedBlob.IsSuccess)
        {
            return sealedBlob.Error.Value;
        }

        return new EncryptResponse(sealedBlob.Value, sealedBlob.Value.Length, key.Arn, r.EncryptionAlgorithm!, pooled: false);
    }

    /// <summary>Decrypt an RSAES-OAEP ciphertext with the key the request names; the response wipes the plaintext once written.</summary>
    public static async ValueTask<Result<DecryptResponse>> DecryptAsync(KmsRuntime kms, KeyRecord key, DecryptRequest r, CancellationToken ct)
    {
        var opened = await OpenAsync(kms, key, r.EncryptionAlgorithm!, r.CiphertextBlob!, ct);
        if (!opened.IsSuccess)
        {
            return opened.Error.Value;
        }

        return new DecryptResponse(key.Arn, opened.Value, r.EncryptionAlgorithm!, keyMaterialId: null);
    }

    /// <summary>RSAES-OAEP encryption under a checked key; the plaintext's size first.</summary>
    public static async ValueTask<Result<byte[]>> SealAsync(KmsRuntime kms, KeyRecord key, string? algorithmName, byte[] plaintext, CancellationToken ct)
    {
        if (CheckEncryption(key, algorithmName, plaintext.Length) is { } refused)
        {
            return refused;
        }

        _ = AlgorithmNames.TryParse(algorithmName ?? "SYMMETRIC_DEFAULT", out EncryptionAlgorithm algorithm);
        var publicKey = await KeyPairMaterial.PublicKeyAsync(kms, key, ct);
        return RsaOaep.Encrypt(publicKey, algorithm, plaintext);
    }

    /// <summary>RSAES-OAEP decryption with a checked key. The caller wipes the plaintext.</summary>
    public static async ValueTask<Result<byte[]>> OpenAsync(KmsRuntime kms, KeyRecord key, string algorithmName, byte[] ciphertext, CancellationToken ct)
    {
        _ = AlgorithmNames.TryParse(algorithmName, out EncryptionAlgorithm algorithm);
        byte[]? plaintext;
        using (var material = await KeyPairMaterial.AcquireAsync(kms, key, ct))
        {
            plaintext = RsaOaep.Decrypt(material.Material, algorithm, ciphertext);
        }

        return plaintext is null ? Errors.InvalidCiphertext() : plaintext;
    }
}
