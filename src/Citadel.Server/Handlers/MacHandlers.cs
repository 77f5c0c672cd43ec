using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

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

    public static ValueTask<KmsError?> GenerateAsync(RequestContext ctx, MacRequest r, KeyRecord? key) => HandleAsync(ctx, r, key!, verify: false);

    public static ValueTask<KmsError?> VerifyAsync(RequestContext ctx, MacRequest r, KeyRecord? key) => HandleAsync(ctx, r, key!, verify: true);

    private static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, MacRequest r, KeyRecord key, bool verify)
    {
        _ = AlgorithmNames.TryParse(r.MacAlgorithm!, out MacAlgorithm algorithm);
        byte[] mac;
        using (var material = await KeyPairMaterial.AcquireAsync(ctx.Kms, key, ctx.Aborted))
        {
            mac = Hmacs.Compute(algorithm, material.Material, r.Message);
        }

        // Constant time: the MAC is a secret until it matches. AWS answers a mismatch with no message.
        if (verify && !CryptographicOperations.FixedTimeEquals(mac, r.Mac))
        {
            return new KmsError(KmsErrorCode.KmsInvalidMac, "");
        }

        var json = ctx.Json;
        json.WriteStartObject();
        if (verify)
        {
            json.WriteString("KeyId"u8, key.Arn);
            json.WriteBoolean("MacValid"u8, true);
            json.WriteString("MacAlgorithm"u8, r.MacAlgorithm);
        }
        else
        {
            json.WriteBase64String("Mac"u8, mac);
            json.WriteString("MacAlgorithm"u8, r.MacAlgorithm);
            json.WriteString("KeyId"u8, key.Arn);
        }

        json.WriteEndObject();
        return null;
    }
}
