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
    /// <summary>Symmetric and HMAC keys have no public key; AWS answers with this exception and no message.</summary>
    public static KmsError? Check(Caller caller, GetPublicKeyRequest r, KeyRecord? key) =>
        KeySpecRules.IsAsymmetric(key!.Spec) ? null : new KmsError(KmsErrorCode.UnsupportedOperation, "");

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GetPublicKeyRequest r, KeyRecord? publicKeyOf)
    {
        var key = publicKeyOf!;
        var publicKey = await KeyPairMaterial.PublicKeyAsync(ctx.Kms, key, ctx.Aborted);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Arn);
        json.WriteBase64String("PublicKey"u8, publicKey);
        json.WriteString("CustomerMasterKeySpec"u8, WireNames.Of(key.Spec));
        json.WriteString("KeySpec"u8, WireNames.Of(key.Spec));
        json.WriteString("KeyUsage"u8, WireNames.Of(key.Usage));
        KeyMetadataWriter.WriteAlgorithms(json, key);
        json.WriteEndObject();
        return null;
    }
}
