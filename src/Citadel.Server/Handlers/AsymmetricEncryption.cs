using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

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
    public static async ValueTask<KmsError?> EncryptAsync(RequestContext ctx, KeyRecord key, EncryptRequest r)
    {
        var sealedBlob = await SealAsync(ctx, key, r.EncryptionAlgorithm, r.Plaintext!);
        if (!sealedBlob.IsSuccess)
        {
            return sealedBlob.Error;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteBase64String("CiphertextBlob"u8, sealedBlob.Value);
        json.WriteString("KeyId"u8, key.Arn);
        json.WriteString("EncryptionAlgorithm"u8, r.EncryptionAlgorithm!);
        json.WriteEndObject();
        return null;
    }

    /// <summary>Decrypt an RSAES-OAEP ciphertext with the key the request names.</summary>
    public static async ValueTask<KmsError?> DecryptAsync(RequestContext ctx, KeyRecord key, DecryptRequest r)
    {
        var opened = await OpenAsync(ctx, key, r.EncryptionAlgorithm!, r.CiphertextBlob!);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var plaintext = opened.Value;
        try
        {
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Arn);
            json.WriteBase64String("Plaintext"u8, plaintext);
            json.WriteString("EncryptionAlgorithm"u8, r.EncryptionAlgorithm!);
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>RSAES-OAEP encryption under a checked key; the plaintext's size first.</summary>
    public static async ValueTask<Result<byte[]>> SealAsync(RequestContext ctx, KeyRecord key, string? algorithmName, byte[] plaintext)
    {
        if (CheckEncryption(key, algorithmName, plaintext.Length) is { } refused)
        {
            return refused;
        }

        _ = AlgorithmNames.TryParse(algorithmName ?? "SYMMETRIC_DEFAULT", out EncryptionAlgorithm algorithm);
        var publicKey = await KeyPairMaterial.PublicKeyAsync(ctx, key);
        return RsaOaep.Encrypt(publicKey, algorithm, plaintext);
    }

    /// <summary>RSAES-OAEP decryption with a checked key. The caller wipes the plaintext.</summary>
    public static async ValueTask<Result<byte[]>> OpenAsync(RequestContext ctx, KeyRecord key, string algorithmName, byte[] ciphertext)
    {
        _ = AlgorithmNames.TryParse(algorithmName, out EncryptionAlgorithm algorithm);
        byte[]? plaintext;
        using (var material = await KeyPairMaterial.AcquireAsync(ctx, key))
        {
            plaintext = RsaOaep.Decrypt(material.Material, algorithm, ciphertext);
        }

        return plaintext is null ? Errors.InvalidCiphertext() : plaintext;
    }
}
