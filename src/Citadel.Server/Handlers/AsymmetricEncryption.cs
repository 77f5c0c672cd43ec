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
        var sealedBlob = await SealAsync(ctx, key, r.EncryptionAlgorithm, r.Plaintext!, r.DryRun);
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
    public static async ValueTask<KmsError?> DecryptAsync(RequestContext ctx, DecryptRequest r)
    {
        var opened = await OpenAsync(ctx, r.KeyId!, r.EncryptionAlgorithm!, r.CiphertextBlob!, r.DryRun);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var (plaintext, key) = opened.Value;
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

    /// <summary>RSAES-OAEP encryption under a resolved, authorized key: usage, state, algorithm and size checks first.</summary>
    public static async ValueTask<Result<byte[]>> SealAsync(RequestContext ctx, KeyRecord key, string? algorithmName, byte[] plaintext, bool? dryRun)
    {
        _ = AlgorithmNames.TryParse(algorithmName ?? "SYMMETRIC_DEFAULT", out EncryptionAlgorithm algorithm);
        if ((KeySpecRules.CheckUsage(key, KeyUsage.EncryptDecrypt, ctx.Operation.Name)
            ?? KeyStateRules.CheckCryptographicUse(key)
            ?? KeySpecRules.CheckEncryption(key.Spec, algorithm)) is { } refused)
        {
            return refused;
        }

        var max = KeySpecRules.MaxPlaintext(key.Spec, algorithm);
        if (plaintext.Length > max)
        {
            return Errors.Validation($"Algorithm {AlgorithmNames.Of(algorithm)} and key spec {WireNames.Of(key.Spec)} cannot encrypt data larger than {max} bytes.");
        }

        if (Steps.DryRun(dryRun) is { } dryRunError)
        {
            return dryRunError;
        }

        var publicKey = await KeyPairMaterial.PublicKeyAsync(ctx, key);
        return RsaOaep.Encrypt(publicKey, algorithm, plaintext);
    }

    /// <summary>
    /// Resolves and authorizes the key (with the operation's action), checks it, and decrypts. The
    /// caller wipes the plaintext.
    /// </summary>
    public static async ValueTask<Result<(byte[] Plaintext, KeyRecord Key)>> OpenAsync(RequestContext ctx, string keyId, string algorithmName, byte[] ciphertext, bool? dryRun, string? action = null)
    {
        _ = AlgorithmNames.TryParse(algorithmName, out EncryptionAlgorithm algorithm);
        var resolved = await KeyResolver.ResolveAsync(ctx, keyId, allowAlias: true);
        if (!resolved.IsSuccess)
        {
            return resolved.Error.Value;
        }

        var key = resolved.Value;
        if ((await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx, key, action ?? ctx.Operation.Action)
            ?? KeySpecRules.CheckUsage(key, KeyUsage.EncryptDecrypt, ctx.Operation.Name)
            ?? KeyStateRules.CheckCryptographicUse(key)
            ?? KeySpecRules.CheckEncryption(key.Spec, algorithm)
            ?? Steps.DryRun(dryRun)) is { } refused)
        {
            return refused;
        }

        byte[]? plaintext;
        using (var material = await KeyPairMaterial.AcquireAsync(ctx, key))
        {
            plaintext = RsaOaep.Decrypt(material.Material, algorithm, ciphertext);
        }

        return plaintext is null ? Errors.InvalidCiphertext() : (plaintext, key);
    }
}
