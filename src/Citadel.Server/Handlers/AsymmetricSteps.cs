using Citadel.Core;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;

namespace Citadel.Server.Handlers;

/// <summary>The checks Sign and Verify share, after the pipeline has checked the key's usage and state.</summary>
internal static class AsymmetricSteps
{
    public static KmsError ExternalMuUnsupported() => new(
        KmsErrorCode.UnsupportedOperation,
        "MessageType EXTERNAL_MU is not supported by this server: its ML-DSA implementation cannot sign or verify a precomputed mu. Use RAW.");

    public static (SigningAlgorithm Algorithm, MessageType Type) Parse(string algorithmName, string? messageType)
    {
        _ = AlgorithmNames.TryParse(algorithmName, out SigningAlgorithm algorithm);
        var type = MessageType.Raw;
        if (messageType is not null)
        {
            _ = AlgorithmNames.TryParse(messageType, out type);
        }

        return (algorithm, type);
    }

    public static void SigningFacts(RequestFacts facts, string algorithmName, string? messageType)
    {
        facts.SigningAlgorithm = algorithmName;
        facts.MessageType = AlgorithmNames.Of(Parse(algorithmName, messageType).Type);
    }

    /// <summary>The algorithm and message type against the key's spec and the message's length.</summary>
    public static KmsError? CheckSigning(KeyRecord key, string algorithmName, string? messageType, int messageLength)
    {
        var (algorithm, type) = Parse(algorithmName, messageType);
        return KeySpecRules.CheckSigning(key.Spec, algorithm, type, messageLength)
            ?? (type == MessageType.ExternalMu ? ExternalMuUnsupported() : null);
    }
}
