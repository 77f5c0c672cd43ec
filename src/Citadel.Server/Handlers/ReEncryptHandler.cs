using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// ReEncrypt: decrypt under the source key and encrypt under the destination's current material, without the plaintext
/// leaving the server. The pipeline locates, authorizes (kms:ReEncryptFrom) and checks the source, and resolves and
/// authorizes the destination (kms:ReEncryptTo); both are checked before anything is decrypted.
/// </summary>
internal static class ReEncryptHandler
{
    public static void Validate(ReEncryptRequest r, ref Validation v) => v.Required(r.CiphertextBlob, "ciphertextBlob");

    public static void Facts(RequestFacts facts, ReEncryptRequest r) => facts.EncryptionAlgorithm = r.SourceEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";

    public static void DestinationFacts(RequestFacts facts, ReEncryptRequest r, KeyRecord source, KeyRecord destination)
    {
        facts.EncryptionAlgorithm = r.DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
        facts.ReEncryptOnSameKey = destination.Id == source.Id;
    }

    /// <summary>The source's algorithm, then the destination's usage, state and algorithm.</summary>
    public static KmsError? Check(Caller caller, ReEncryptRequest r, KeyRecord? source)
    {
        if (DecryptHandler.CheckAlgorithm(source!, r.SourceKeyId, r.SourceEncryptionAlgorithm) is { } refused)
        {
            return refused;
        }

        var destination = caller.SecondKey!;
        return Ciphertexts.IsAsymmetricAlgorithm(r.DestinationEncryptionAlgorithm)
            ? AsymmetricEncryption.CheckDestination(destination, r.DestinationEncryptionAlgorithm)
            : KeyStateRules.CheckCryptographicUse(destination)
                ?? KeySpecRules.CheckUsage(destination, KeyUsage.EncryptDecrypt, "ReEncrypt")
                ?? Ciphertexts.CheckSymmetricKey(destination, r.DestinationEncryptionAlgorithm, Ciphertexts.IncompatibleWithSymmetricDefault);
    }

    public static async ValueTask<Result<ReEncryptResponse>> ReEncryptAsync(KmsRuntime kms, ReEncryptRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var source = key!;
        var destination = caller.SecondKey!;
        byte[] plaintext;
        string? sourceMaterialId = null;
        if (r.SourceKeyId is not null && Ciphertexts.IsAsymmetricAlgorithm(r.SourceEncryptionAlgorithm))
        {
            var opened = await AsymmetricEncryption.OpenAsync(kms, source, r.SourceEncryptionAlgorithm!, r.CiphertextBlob!, ct);
            if (!opened.IsSuccess)
            {
                return opened.Error.Value;
            }

            plaintext = opened.Value;
        }
        else
        {
            var opened = await Ciphertexts.OpenAsync(kms, caller, source, r.CiphertextBlob!, r.SourceEncryptionContext, ct);
            if (!opened.IsSuccess)
            {
                return opened.Error.Value;
            }

            (plaintext, _, sourceMaterialId) = opened.Value;
        }

        try
        {
            byte[] blob;
            string? destinationMaterialId = null;
            if (Ciphertexts.IsAsymmetricAlgorithm(r.DestinationEncryptionAlgorithm))
            {
                var sealedBlob = await AsymmetricEncryption.SealAsync(kms, destination, r.DestinationEncryptionAlgorithm, plaintext, ct);
                if (!sealedBlob.IsSuccess)
                {
                    return sealedBlob.Error.Value;
                }

                blob = sealedBlob.Value;
            }
            else
            {
                var sealedBlob = await Ciphertexts.SealAsync(kms, caller, destination, r.DestinationEncryptionContext, plaintext, ct);
                if (!sealedBlob.IsSuccess)
                {
                    return sealedBlob.Error.Value;
                }

                (blob, destinationMaterialId) = sealedBlob.Value;
            }

            return new ReEncryptResponse(
                blob,
                source.Arn,
                destination.Arn,
                r.SourceEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT",
                r.DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT",
                sourceMaterialId,
                destinationMaterialId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
