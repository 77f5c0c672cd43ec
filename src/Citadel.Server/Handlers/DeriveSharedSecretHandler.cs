using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>DeriveSharedSecret: ECDH between a KEY_AGREEMENT key's private key and a peer's public key (SPKI DER) on the same curve; the raw secret.</summary>
internal static class DeriveSharedSecretHandler
{
    public static KmsError? Admit(Caller caller, DeriveSharedSecretRequest r) => r.Recipient is null ? null : Steps.RecipientUnsupported();

    public static void Facts(RequestFacts facts, DeriveSharedSecretRequest r) => facts.KeyAgreementAlgorithm = r.KeyAgreementAlgorithm;

    /// <summary>The shared secret in the response is wiped once the protocol has written it.</summary>
    public static async ValueTask<Result<DeriveSharedSecretResponse>> DeriveSharedSecretAsync(KmsRuntime kms, DeriveSharedSecretRequest r, Caller caller, KeyRecord? agreementKey, CancellationToken ct)
    {
        var key = agreementKey!;
        byte[]? secret;
        using (var material = await KeyPairMaterial.AcquireAsync(kms, key, ct))
        {
            secret = KeyAgreement.DeriveSharedSecret(key.Spec, material.Material, r.PublicKey);
        }

        if (secret is null)
        {
            return Errors.Validation($"The public key is not a valid DER-encoded SubjectPublicKeyInfo of an elliptic curve key on the curve of key spec {WireNames.Of(key.Spec)}.");
        }

        return new DeriveSharedSecretResponse(key.Arn, secret, WireNames.Of(key.Origin));
    }
}
