using System.Security.Cryptography;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>Sign: a signature over a message (up to 4 KiB) or its digest with the private key of a SIGN_VERIFY key.</summary>
internal static class SignHandler
{
    public static void Facts(RequestFacts facts, SignRequest r) => AsymmetricSteps.SigningFacts(facts, r.SigningAlgorithm!, r.MessageType);

    public static KmsError? Check(Caller caller, SignRequest r, KeyRecord? key) =>
        AsymmetricSteps.CheckSigning(key!, r.SigningAlgorithm!, r.MessageType, r.Message!.Length);

    public static async ValueTask<Result<SignResponse>> SignAsync(KmsRuntime kms, SignRequest r, Caller caller, KeyRecord? signingKey, CancellationToken ct)
    {
        var key = signingKey!;
        var (algorithm, type) = AsymmetricSteps.Parse(r.SigningAlgorithm!, r.MessageType);
        byte[] signature;
        if (Signatures.UsesDotNetKey(algorithm))
        {
            var version = key.CurrentMaterialVersion;
            AsymmetricAlgorithm? loaded = null;
            try
            {
                // The private material is needed only when no parsed key is free in the pool.
                if (!LoadedKeyPool.TryRent(key.Id, version, true, out loaded))
                {
                    using var material = await KeyPairMaterial.AcquireAsync(kms, key, ct);
                    loaded = Signatures.LoadDotNetKey(algorithm, material.Material, privateKey: true);
                }

                signature = Signatures.SignWith(loaded, algorithm, type, r.Message!);
            }
            finally
            {
                if (loaded is not null)
                {
                    LoadedKeyPool.Return(key.Id, version, true, loaded);
                }
            }
        }
        else
        {
            using var material = await KeyPairMaterial.AcquireAsync(kms, key, ct);
            signature = Signatures.Sign(key.Spec, material.Material, algorithm, type, r.Message!);
        }

        return new SignResponse(key.Arn, signature, r.SigningAlgorithm!);
    }
}
