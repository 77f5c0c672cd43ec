using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>DeriveSharedSecret: ECDH between a KEY_AGREEMENT key's private key and a peer's public key (SPKI DER) on the same curve; the raw secret.</summary>
internal static class DeriveSharedSecretHandler
{
    public static KmsError? Admit(Caller caller, DeriveSharedSecretRequest r) => r.Recipient is null ? null : Steps.RecipientUnsupported();

    public static void Facts(RequestFacts facts, DeriveSharedSecretRequest r) => facts.KeyAgreementAlgorithm = r.KeyAgreementAlgorithm;

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, DeriveSharedSecretRequest r, KeyRecord? agreementKey)
    {
        var key = agreementKey!;
        byte[]? secret;
        using (var material = await KeyPairMaterial.AcquireAsync(ctx.Kms, key, ctx.Aborted))
        {
            secret = KeyAgreement.DeriveSharedSecret(key.Spec, material.Material, r.PublicKey);
        }

        if (secret is null)
        {
            return Errors.Validation($"The public key is not a valid DER-encoded SubjectPublicKeyInfo of an elliptic curve key on the curve of key spec {WireNames.Of(key.Spec)}.");
        }

        try
        {
            var json = ctx.Json;
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Arn);
            json.WriteBase64String("SharedSecret"u8, secret);
            json.WriteString("KeyAgreementAlgorithm"u8, "ECDH"u8);
            json.WriteString("KeyOrigin"u8, WireNames.Of(key.Origin));
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
