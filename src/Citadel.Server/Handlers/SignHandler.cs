using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>Sign: a signature over a message (up to 4 KiB) or its digest with the private key of a SIGN_VERIFY key.</summary>
internal static class SignHandler
{
    public static void Validate(SignRequest r, ref Validation v)
    {
        Steps.ValidateKeyId(r.KeyId, "keyId", ref v);
        v.Required(r.Message, "message");
        v.BlobLength(r.Message, "message", 1, 4096);
        v.Enum(r.MessageType, "messageType", ModelEnums.MessageType);
        Steps.ValidateGrantTokens(r.GrantTokens, ref v);
        v.Required(r.SigningAlgorithm, "signingAlgorithm");
        v.Enum(r.SigningAlgorithm, "signingAlgorithm", ModelEnums.SigningAlgorithm);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, SignRequest r)
    {
        _ = AlgorithmNames.TryParse(r.SigningAlgorithm!, out SigningAlgorithm algorithm);
        var type = MessageType.Raw;
        if (r.MessageType is not null)
        {
            _ = AlgorithmNames.TryParse(r.MessageType, out type);
        }

        ctx.Facts.SigningAlgorithm = r.SigningAlgorithm;
        ctx.Facts.MessageType = AlgorithmNames.Of(type);
        var key = await AsymmetricSteps.ResolveForUseAsync(ctx, r.KeyId!, KeyUsage.SignVerify);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if (KeySpecRules.CheckSigning(key.Value.Spec, algorithm, type, r.Message!.Length) is { } invalid)
        {
            return invalid;
        }

        if (type == MessageType.ExternalMu)
        {
            return AsymmetricSteps.ExternalMuUnsupported();
        }

        if (Steps.DryRun(r.DryRun) is { } dryRun)
        {
            return dryRun;
        }

        byte[] signature;
        using (var material = await KeyPairMaterial.AcquireAsync(ctx, key.Value))
        {
            signature = Signatures.Sign(key.Value.Spec, material.Material, algorithm, type, r.Message);
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Value.Arn);
        json.WriteBase64String("Signature"u8, signature);
        json.WriteString("SigningAlgorithm"u8, r.SigningAlgorithm);
        json.WriteEndObject();
        return null;
    }
}
