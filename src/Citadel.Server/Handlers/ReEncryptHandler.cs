using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ReEncrypt: decrypt under the source key and encrypt under the destination's current material, without the plaintext leaving the server.</summary>
internal static class ReEncryptHandler
{
    public static void Validate(ReEncryptRequest r, ref Validation v)
    {
        v.Required(r.CiphertextBlob, "ciphertextBlob");
        v.BlobLength(r.CiphertextBlob, "ciphertextBlob", 1, 6144);
        v.EncryptionContext(r.SourceEncryptionContext, "sourceEncryptionContext");
        v.EncryptionContext(r.DestinationEncryptionContext, "destinationEncryptionContext");
        v.Length(r.SourceKeyId, "sourceKeyId", 1, 2048);
        Steps.ValidateKeyId(r.DestinationKeyId, "destinationKeyId", ref v);
        v.Enum(r.SourceEncryptionAlgorithm, "sourceEncryptionAlgorithm", ModelEnums.EncryptionAlgorithm);
        v.Enum(r.DestinationEncryptionAlgorithm, "destinationEncryptionAlgorithm", ModelEnums.EncryptionAlgorithm);
        Steps.ValidateGrantTokens(r.GrantTokens, ref v);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ReEncryptRequest r)
    {
        ctx.Facts.EncryptionContext = r.SourceEncryptionContext;
        ctx.Facts.EncryptionAlgorithm = r.SourceEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
        var sourceIsAsymmetric = r.SourceKeyId is not null && AsymmetricEncryption.IsAsymmetricAlgorithm(r.SourceEncryptionAlgorithm);
        byte[] plaintext;
        KeyRecord source;
        string? sourceMaterialId = null;
        if (sourceIsAsymmetric)
        {
            var opened = await AsymmetricEncryption.OpenAsync(ctx, r.SourceKeyId!, r.SourceEncryptionAlgorithm!, r.CiphertextBlob!, dryRun: null, "kms:ReEncryptFrom");
            if (!opened.IsSuccess)
            {
                return opened.Error;
            }

            (plaintext, source) = opened.Value;
        }
        else
        {
            var opened = await Ciphertexts.OpenAsync(ctx, r.CiphertextBlob!, r.SourceEncryptionContext, r.SourceKeyId, r.SourceEncryptionAlgorithm, "kms:ReEncryptFrom");
            if (!opened.IsSuccess)
            {
                return opened.Error;
            }

            (plaintext, source, sourceMaterialId) = opened.Value;
        }

        try
        {
            var destination = await KeyResolver.ResolveAsync(ctx, r.DestinationKeyId!, allowAlias: true);
            if (!destination.IsSuccess)
            {
                return destination.Error;
            }

            ctx.Facts.EncryptionContext = r.DestinationEncryptionContext;
            ctx.Facts.EncryptionAlgorithm = r.DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
            ctx.Facts.ReEncryptOnSameKey = destination.Value.Id == source.Id;
            if (await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx, destination.Value, "kms:ReEncryptTo") is { } denied)
            {
                return denied;
            }

            byte[] blob;
            string? destinationMaterialId = null;
            if (AsymmetricEncryption.IsAsymmetricAlgorithm(r.DestinationEncryptionAlgorithm))
            {
                var sealedBlob = await AsymmetricEncryption.SealAsync(ctx, destination.Value, r.DestinationEncryptionAlgorithm, plaintext, r.DryRun);
                if (!sealedBlob.IsSuccess)
                {
                    return sealedBlob.Error;
                }

                blob = sealedBlob.Value;
            }
            else
            {
                if ((Steps.CheckSymmetricUse(ctx, destination.Value, r.DestinationEncryptionAlgorithm) ?? Steps.DryRun(r.DryRun)) is { } refused)
                {
                    return refused;
                }

                (blob, destinationMaterialId) = await Ciphertexts.SealAsync(ctx, destination.Value, r.DestinationEncryptionContext, plaintext);
            }

            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteBase64String("CiphertextBlob"u8, blob);
            json.WriteString("SourceKeyId"u8, source.Arn);
            json.WriteString("KeyId"u8, destination.Value.Arn);
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
