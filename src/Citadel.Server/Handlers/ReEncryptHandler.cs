using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

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
    public static KmsError? Check(RequestContext ctx, ReEncryptRequest r, KeyRecord? source)
    {
        if (DecryptHandler.CheckAlgorithm(source!, r.SourceKeyId, r.SourceEncryptionAlgorithm) is { } refused)
        {
            return refused;
        }

        var destination = ctx.SecondKey!;
        return Ciphertexts.IsAsymmetricAlgorithm(r.DestinationEncryptionAlgorithm)
            ? AsymmetricEncryption.CheckDestination(destination, r.DestinationEncryptionAlgorithm)
            : KeyStateRules.CheckCryptographicUse(destination)
                ?? KeySpecRules.CheckUsage(destination, KeyUsage.EncryptDecrypt, "ReEncrypt")
                ?? Ciphertexts.CheckSymmetricKey(destination, r.DestinationEncryptionAlgorithm, Ciphertexts.IncompatibleWithSymmetricDefault);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ReEncryptRequest r, KeyRecord? key)
    {
        var source = key!;
        var destination = ctx.SecondKey!;
        byte[] plaintext;
        string? sourceMaterialId = null;
        if (r.SourceKeyId is not null && Ciphertexts.IsAsymmetricAlgorithm(r.SourceEncryptionAlgorithm))
        {
            var opened = await AsymmetricEncryption.OpenAsync(ctx, source, r.SourceEncryptionAlgorithm!, r.CiphertextBlob!);
            if (!opened.IsSuccess)
            {
                return opened.Error;
            }

            plaintext = opened.Value;
        }
        else
        {
            var opened = await Ciphertexts.OpenAsync(ctx, source, r.CiphertextBlob!, r.SourceEncryptionContext);
            if (!opened.IsSuccess)
            {
                return opened.Error;
            }

            (plaintext, _, sourceMaterialId) = opened.Value;
        }

        try
        {
            byte[] blob;
            string? destinationMaterialId = null;
            if (Ciphertexts.IsAsymmetricAlgorithm(r.DestinationEncryptionAlgorithm))
            {
                var sealedBlob = await AsymmetricEncryption.SealAsync(ctx, destination, r.DestinationEncryptionAlgorithm, plaintext);
                if (!sealedBlob.IsSuccess)
                {
                    return sealedBlob.Error;
                }

                blob = sealedBlob.Value;
            }
            else
            {
                var sealedBlob = await Ciphertexts.SealAsync(ctx, destination, r.DestinationEncryptionContext, plaintext);
                if (!sealedBlob.IsSuccess)
                {
                    return sealedBlob.Error;
                }

                (blob, destinationMaterialId) = sealedBlob.Value;
            }

            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteBase64String("CiphertextBlob"u8, blob);
            json.WriteString("SourceKeyId"u8, source.Arn);
            json.WriteString("KeyId"u8, destination.Arn);
            json.WriteString("SourceEncryptionAlgorithm"u8, r.SourceEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT");
            json.WriteString("DestinationEncryptionAlgorithm"u8, r.DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT");
            if (sourceMaterialId is not null)
            {
                json.WriteString("SourceKeyMaterialId"u8, sourceMaterialId);
            }

            if (destinationMaterialId is not null)
            {
                json.WriteString("DestinationKeyMaterialId"u8, destinationMaterialId);
            }

            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
