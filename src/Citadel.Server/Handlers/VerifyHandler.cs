using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>Verify: checks a signature with the public key of a SIGN_VERIFY key; an invalid one is KMSInvalidSignatureException, not a false.</summary>
internal static class VerifyHandler
{
    public static void Facts(RequestFacts facts, VerifyRequest r) => AsymmetricSteps.SigningFacts(facts, r.SigningAlgorithm!, r.MessageType);

    public static KmsError? Check(Caller caller, VerifyRequest r, KeyRecord? key) =>
        AsymmetricSteps.CheckSigning(key!, r.SigningAlgorithm!, r.MessageType, r.Message!.Length);

    public static async ValueTask<Result<VerifyResponse>> VerifyAsync(KmsRuntime kms, VerifyRequest r, Caller caller, KeyRecord? verifyingKey, CancellationToken ct)
    {
        var key = verifyingKey!;
        var (algorithm, type) = AsymmetricSteps.Parse(r.SigningAlgorithm!, r.MessageType);
        var publicKey = await KeyPairMaterial.PublicKeyAsync(kms, key, ct);
        bool valid;
        if (Signatures.UsesDotNetKey(algorithm))
        {
            if (!LoadedKeyPool.TryRent(key.Id, key.CurrentMaterialVersion, false, out var loaded))
            {
                loaded = Signatures.LoadDotNetKey(algorithm, publicKey, privateKey: false);
            }

            try
            {
                valid = Signatures.VerifyWith(loaded, algorithm, type, r.Message!, r.Signature!);
            }
            finally
            {
                LoadedKeyPool.Return(key.Id, key.CurrentMaterialVersion, false, loaded);
            }
        }
        else
        {
            valid = Signatures.Verify(key.Spec, publicKey, algorithm, type, r.Message!, r.Signature!);
        }

        if (!valid)
        {
            // AWS answers an invalid signature with this exception and no message.
            return new KmsError(KmsErrorCode.KmsInvalidSignature, "");
        }

        return new VerifyResponse(key.Arn, r.SigningAlgorithm!);
    }
}
