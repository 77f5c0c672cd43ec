using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

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

    public static KmsError? Admit(Caller caller, DecryptRequest r) => r.Recipient is null ? null : Steps.RecipientUnsupported();

    public static void Facts(RequestFacts facts, DecryptRequest r) => facts.EncryptionAlgorithm = r.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";

    public static KmsError? Check(Caller caller, DecryptRequest r, KeyRecord? key) => CheckAlgorithm(key!, r.KeyId, r.EncryptionAlgorithm);

    /// <summary>The algorithm against the key of a ciphertext: RSAES-OAEP with its key named, else SYMMETRIC_DEFAULT.</summary>
    public static KmsError? CheckAlgorithm(KeyRecord key, string? keyId, string? algorithm) =>
        keyId is not null && Ciphertexts.IsAsymmetricAlgorithm(algorithm)
            ? AsymmetricEncryption.CheckEncryption(key, algorithm, plaintextLength: 0)
            : Ciphertexts.CheckSymmetricAlgorithm(key, algorithm);

    /// <summary>The plaintext in the response is wiped once the protocol has written it.</summary>
    public static async ValueTask<Result<DecryptResponse>> DecryptAsync(KmsRuntime kms, DecryptRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        if (r.KeyId is not null && Ciphertexts.IsAsymmetricAlgorithm(r.EncryptionAlgorithm))
        {
            return await AsymmetricEncryption.DecryptAsync(kms, key!, r, ct);
        }

        var opened = await Ciphertexts.OpenAsync(kms, caller, key!, r.CiphertextBlob!, r.EncryptionContext, ct);
        if (!opened.IsSuccess)
        {
            return opened.Error.Value;
        }

        var (plaintext, _, materialId) = opened.Value;
        return new DecryptResponse(key!.Arn, plaintext, "SYMMETRIC_DEFAULT", materialId);
    }
}
