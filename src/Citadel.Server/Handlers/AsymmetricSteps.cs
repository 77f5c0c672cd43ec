using Citadel.Core;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Handlers;

/// <summary>The checks Sign, Verify, the MAC operations and DeriveSharedSecret share.</summary>
internal static class AsymmetricSteps
{
    /// <summary>
    /// Resolves and authorizes the key, then checks its usage and then its state: AWS reports a
    /// key of the wrong usage as such even when the key is also disabled.
    /// </summary>
    public static async ValueTask<Result<KeyRecord>> ResolveForUseAsync(RequestContext ctx, string keyId, KeyUsage usage)
    {
        var key = await Steps.ResolveAsync(ctx, keyId, allowAlias: true);
        if (!key.IsSuccess)
        {
            return key;
        }

        if ((KeySpecRules.CheckUsage(key.Value, usage, ctx.Operation.Name) ?? KeyStateRules.CheckCryptographicUse(key.Value)) is { } refused)
        {
            return refused;
        }

        return key;
    }

    public static KmsError ExternalMuUnsupported() => new(
        KmsErrorCode.UnsupportedOperation,
        "MessageType EXTERNAL_MU is not supported by this server: its ML-DSA implementation cannot sign or verify a precomputed mu. Use RAW.");

    /// <summary>The steps Sign and Verify share: algorithm and message type, facts, key resolution and usage, spec checks, DryRun.</summary>
    public static async ValueTask<Result<(KeyRecord Key, SigningAlgorithm Algorithm, MessageType Type)>> PrepareSigningAsync(
        RequestContext ctx, string keyId, string algorithmName, string? messageType, int messageLength, bool? dryRun)
    {
        _ = AlgorithmNames.TryParse(algorithmName, out SigningAlgorithm algorithm);
        var type = MessageType.Raw;
        if (messageType is not null)
        {
            _ = AlgorithmNames.TryParse(messageType, out type);
        }

        ctx.Facts.SigningAlgorithm = algorithmName;
        ctx.Facts.MessageType = AlgorithmNames.Of(type);
        var key = await ResolveForUseAsync(ctx, keyId, KeyUsage.SignVerify);
        if (!key.IsSuccess)
        {
            return key.Error.Value;
        }

        if (KeySpecRules.CheckSigning(key.Value.Spec, algorithm, type, messageLength) is { } invalid)
        {
            return invalid;
        }

        if (type == MessageType.ExternalMu)
        {
            return ExternalMuUnsupported();
        }

        return Steps.DryRun(dryRun) is { } dryRunError ? dryRunError : (key.Value, algorithm, type);
    }
}
