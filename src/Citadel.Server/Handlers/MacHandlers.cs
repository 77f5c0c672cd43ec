using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>GenerateMac and VerifyMac: HMAC with a GENERATE_VERIFY_MAC key; a mismatch is KMSInvalidMacException.</summary>
internal static class MacHandlers
{
    public static void Facts(RequestFacts facts, MacRequest r) => facts.MacAlgorithm = r.MacAlgorithm;

    public static KmsError? Check(Caller caller, MacRequest r, KeyRecord? key)
    {
        _ = AlgorithmNames.TryParse(r.MacAlgorithm!, out MacAlgorithm algorithm);
        return KeySpecRules.CheckMac(key!.Spec, algorithm);
    }

    public static async ValueTask<Result<GenerateMacResponse>> GenerateMacAsync(KmsRuntime kms, MacRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        new GenerateMacResponse(await ComputeAsync(kms, r, key!, ct), r.MacAlgorithm!, key!.Arn);

    public static async ValueTask<Result<VerifyMacResponse>> VerifyMacAsync(KmsRuntime kms, MacRequest r, Caller caller, KeyRecord? key, CancellationToken ct)
    {
        var mac = await ComputeAsync(kms, r, key!, ct);

        // Constant time: the MAC is a secret until it matches. AWS answers a mismatch with no message.
        return CryptographicOperations.FixedTimeEquals(mac, r.Mac)
            ? new VerifyMacResponse(key!.Arn, r.MacAlgorithm!)
            : new KmsError(KmsErrorCode.KmsInvalidMac, "");
    }

    private static async ValueTask<byte[]> ComputeAsync(KmsRuntime kms, MacRequest r, KeyRecord key, CancellationToken ct)
    {
        _ = AlgorithmNames.TryParse(r.MacAlgorithm!, out MacAlgorithm algorithm);
        using var material = await KeyPairMaterial.AcquireAsync(kms, key, ct);
        return Hmacs.Compute(algorithm, material.Material, r.Message);
    }
}
