using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>Decrypt: the ciphertext names its key, so KeyId is optional for symmetric keys (<see cref="KeyLocators"/>).</summary>
internal static class DecryptHandler
{
    /// <summary>
    /// Beyond the model: the model leaves CiphertextBlob of Decrypt and ReEncrypt optional only because AWS waives it
    /// for a dry run with DryRunModifiers IGNORE_CIPHERTEXT ("required in all cases except when DryRun is true and
    /// DryRunModifiers is set to IGNORE_CIPHERTEXT", the SDKs' Decrypt documentation). That dry run is not
    /// implemented here, so the ciphertext is always required.
    /// </summary>
    public static void Validate(DecryptRequest r, ref Validation v) => v.Required(r.CiphertextBlob, "ciphertextBlob");

    public static KmsError? Admit(RequestContext ctx, DecryptRequest r) => r.Recipient is null ? null : Steps.RecipientUnsupported();

    public static void Facts(RequestFacts facts, DecryptRequest r) => facts.EncryptionAlgorithm = r.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";

    public static KmsError? Check(RequestContext ctx, DecryptRequest r, KeyRecord? key) => CheckAlgorithm(key!, r.KeyId, r.EncryptionAlgorithm);

    /// <summary>The algorithm against the key of a ciphertext: RSAES-OAEP with its key named, else SYMMETRIC_DEFAULT.</summary>
    public static KmsError? CheckAlgorithm(KeyRecord key, string? keyId, string? algorithm) =>
        keyId is not null && Ciphertexts.IsAsymmetricAlgorithm(algorithm)
            ? AsymmetricEncryption.CheckEncryption(key, algorithm, plaintextLength: 0)
            : Ciphertexts.CheckSymmetricAlgorithm(key, algorithm);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, DecryptRequest r, KeyRecord? key)
    {
        if (r.KeyId is not null && Ciphertexts.IsAsymmetricAlgorithm(r.EncryptionAlgorithm))
        {
            return await AsymmetricEncryption.DecryptAsync(ctx, key!, r);
        }

        var opened = await Ciphertexts.OpenAsync(ctx, key!, r.CiphertextBlob!, r.EncryptionContext);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var (plaintext, _, materialId) = opened.Value;
        try
        {
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key!.Arn);
            json.WriteBase64String("Plaintext"u8, plaintext);
            json.WriteString("EncryptionAlgorithm"u8, "SYMMETRIC_DEFAULT"u8);
            json.WriteString("KeyMaterialId"u8, materialId);
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
