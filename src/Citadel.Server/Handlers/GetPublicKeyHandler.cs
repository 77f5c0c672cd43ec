using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>GetPublicKey: the SubjectPublicKeyInfo DER of an asymmetric key, with what it may be used for.</summary>
internal static class GetPublicKeyHandler
{
    /// <summary>Symmetric and HMAC keys have no public key; AWS answers with this exception and no message.</summary>
    public static KmsError? Check(Caller caller, GetPublicKeyRequest r, KeyRecord? key) =>
        KeySpecRules.IsAsymmetric(key!.Spec) ? null : new KmsError(KmsErrorCode.UnsupportedOperation, "");

    public static async ValueTask<Result<GetPublicKeyResponse>> GetPublicKeyAsync(KmsRuntime kms, GetPublicKeyRequest r, Caller caller, KeyRecord? publicKeyOf, CancellationToken ct)
    {
        var key = publicKeyOf!;
        var publicKey = await KeyPairMaterial.PublicKeyAsync(kms, key, ct);
        return new GetPublicKeyResponse(key, publicKey);
    }
}
