using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GenerateMac and VerifyMac: HMAC with a GENERATE_VERIFY_MAC key; a mismatch is KMSInvalidMacException.</summary>
internal static class MacHandlers
{
    public static ValueTask<KmsError?> GenerateAsync(RequestContext ctx, MacRequest r) => HandleAsync(ctx, r, verify: false);

    public static ValueTask<KmsError?> VerifyAsync(RequestContext ctx, MacRequest r) => HandleAsync(ctx, r, verify: true);

    private static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, MacRequest r, bool verify)
    {
        _ = AlgorithmNames.TryParse(r.MacAlgorithm!, out MacAlgorithm algorithm);
        ctx.Facts.MacAlgorithm = r.MacAlgorithm;
        var key = await AsymmetricSteps.ResolveForUseAsync(ctx, r.KeyId!, KeyUsage.GenerateVerifyMac);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if ((KeySpecRules.CheckMac(key.Value.Spec, algorithm) ?? Steps.DryRun(r.DryRun)) is { } refused)
        {
            return refused;
        }

        byte[] mac;
        using (var material = await KeyPairMaterial.AcquireAsync(ctx, key.Value))
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
            json.WriteString("KeyId"u8, key.Value.Arn);
            json.WriteBoolean("MacValid"u8, true);
            json.WriteString("MacAlgorithm"u8, r.MacAlgorithm);
        }
        else
        {
            json.WriteBase64String("Mac"u8, mac);
            json.WriteString("MacAlgorithm"u8, r.MacAlgorithm);
            json.WriteString("KeyId"u8, key.Value.Arn);
        }

        json.WriteEndObject();
        return null;
    }
}
