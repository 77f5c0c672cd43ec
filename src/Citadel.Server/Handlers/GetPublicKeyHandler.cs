using Citadel.Core;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GetPublicKey: the SubjectPublicKeyInfo DER of an asymmetric key, with what it may be used for.</summary>
internal static class GetPublicKeyHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GetPublicKeyRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: true);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if (KeyStateRules.CheckCryptographicUse(key.Value) is { } stateError)
        {
            return stateError;
        }

        if (!KeySpecRules.IsAsymmetric(key.Value.Spec))
        {
            // Symmetric and HMAC keys have no public key; AWS answers with this exception and no message.
            return new KmsError(KmsErrorCode.UnsupportedOperation, "");
        }

        var publicKey = await KeyPairMaterial.PublicKeyAsync(ctx, key.Value);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Value.Arn);
        json.WriteBase64String("PublicKey"u8, publicKey);
        json.WriteString("CustomerMasterKeySpec"u8, WireNames.Of(key.Value.Spec));
        json.WriteString("KeySpec"u8, WireNames.Of(key.Value.Spec));
        json.WriteString("KeyUsage"u8, WireNames.Of(key.Value.Usage));
        KeyMetadataWriter.WriteAlgorithms(json, key.Value);
        json.WriteEndObject();
        return null;
    }
}
