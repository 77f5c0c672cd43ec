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
    public static bool IsAsymmetricAlgorithm(string? algorithm) => algorithm is "RSAES_OAEP_SHA_1" or "RSAES_OAEP_SHA_256";

    /// <summary>Encrypt under an asymmetric key the caller has resolved and authorized.</summary>
    public static async ValueTask<KmsError?> EncryptAsync(RequestContext ctx, KeyRecord key, EncryptRequest r)
    {
        _ = AlgorithmNames.TryParse(r.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT", out EncryptionAlgorithm algorithm);
        if ((KeySpecRules.CheckUsage(key, KeyUsage.EncryptDecrypt, ctx.Operation.Name)
            ?? KeyStateRules.CheckCryptographicUse(key)
            ?? KeySpecRules.CheckEncryption(key.Spec, algorithm)) is { } refused)
        {
            return refused;
        }

        var max = KeySpecRules.MaxPlaintext(key.Spec, algorithm);
        if (r.Plaintext!.Length > max)
        {
            return Errors.Validation($"Algorithm {AlgorithmNames.Of(algorithm)} and key spec {WireNames.Of(key.Spec)} cannot encrypt data larger than {max} bytes.");
        }

        if (Steps.DryRun(r.DryRun) is { } dryRun)
        {
            return dryRun;
        }

        var publicKey = await KeyPairMaterial.PublicKeyAsync(ctx, key);
        var ciphertext = RsaOaep.Encrypt(publicKey, algorithm, r.Plaintext);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteBase64String("CiphertextBlob"u8, ciphertext);
        json.WriteString("KeyId"u8, key.Arn);
        json.WriteString("EncryptionAlgorithm"u8, AlgorithmNames.Of(algorithm));
        json.WriteEndObject();
        return null;
    }

    /// <summary>Decrypt an RSAES-OAEP ciphertext with the key the request names.</summary>
    public static async ValueTask<KmsError?> DecryptAsync(RequestContext ctx, DecryptRequest r)
    {
        _ = AlgorithmNames.TryParse(r.EncryptionAlgorithm!, out EncryptionAlgorithm algorithm);
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: true);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if ((KeySpecRules.CheckUsage(key.Value, KeyUsage.EncryptDecrypt, ctx.Operation.Name)
            ?? KeyStateRules.CheckCryptographicUse(key.Value)
            ?? KeySpecRules.CheckEncryption(key.Value.Spec, algorithm)
            ?? Steps.DryRun(r.DryRun)) is { } refused)
        {
            return refused;
        }

        byte[]? plaintext;
        using (var material = await KeyPairMaterial.AcquireAsync(ctx, key.Value))
        {
            plaintext = RsaOaep.Decrypt(material.Material, algorithm, r.CiphertextBlob);
        }

        if (plaintext is null)
        {
            return Errors.InvalidCiphertext();
        }

        try
        {
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Value.Arn);
            json.WriteBase64String("Plaintext"u8, plaintext);
            json.WriteString("EncryptionAlgorithm"u8, AlgorithmNames.Of(algorithm));
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
