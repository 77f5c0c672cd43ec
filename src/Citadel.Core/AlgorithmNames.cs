using System.Collections.Frozen;
using Citadel.Core.Keys;

namespace Citadel.Core;

/// <summary>AWS's wire names for the algorithm enums, both ways.</summary>
public static class AlgorithmNames
{
    private static readonly FrozenDictionary<string, SigningAlgorithm> Signing = new Dictionary<string, SigningAlgorithm>
    {
        ["RSASSA_PSS_SHA_256"] = SigningAlgorithm.RsassaPssSha256,
        ["RSASSA_PSS_SHA_384"] = SigningAlgorithm.RsassaPssSha384,
        ["RSASSA_PSS_SHA_512"] = SigningAlgorithm.RsassaPssSha512,
        ["RSASSA_PKCS1_V1_5_SHA_256"] = SigningAlgorithm.RsassaPkcs1V15Sha256,
        ["RSASSA_PKCS1_V1_5_SHA_384"] = SigningAlgorithm.RsassaPkcs1V15Sha384,
        ["RSASSA_PKCS1_V1_5_SHA_512"] = SigningAlgorithm.RsassaPkcs1V15Sha512,
        ["ECDSA_SHA_256"] = SigningAlgorithm.EcdsaSha256,
        ["ECDSA_SHA_384"] = SigningAlgorithm.EcdsaSha384,
        ["ECDSA_SHA_512"] = SigningAlgorithm.EcdsaSha512,
        ["SM2DSA"] = SigningAlgorithm.Sm2Dsa,
        ["ML_DSA_SHAKE_256"] = SigningAlgorithm.MlDsaShake256,
        ["ED25519_SHA_512"] = SigningAlgorithm.Ed25519Sha512,
        ["ED25519_PH_SHA_512"] = SigningAlgorithm.Ed25519PhSha512,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<SigningAlgorithm, string> SigningNames = Signing.ToFrozenDictionary(p => p.Value, p => p.Key);

    private static readonly FrozenDictionary<string, MacAlgorithm> Mac = new Dictionary<string, MacAlgorithm>
    {
        ["HMAC_SHA_224"] = MacAlgorithm.HmacSha224,
        ["HMAC_SHA_256"] = MacAlgorithm.HmacSha256,
        ["HMAC_SHA_384"] = MacAlgorithm.HmacSha384,
        ["HMAC_SHA_512"] = MacAlgorithm.HmacSha512,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<MacAlgorithm, string> MacNames = Mac.ToFrozenDictionary(p => p.Value, p => p.Key);

    private static readonly FrozenDictionary<string, EncryptionAlgorithm> Encryption = new Dictionary<string, EncryptionAlgorithm>
    {
        ["SYMMETRIC_DEFAULT"] = EncryptionAlgorithm.SymmetricDefault,
        ["RSAES_OAEP_SHA_1"] = EncryptionAlgorithm.RsaesOaepSha1,
        ["RSAES_OAEP_SHA_256"] = EncryptionAlgorithm.RsaesOaepSha256,
        ["SM2PKE"] = EncryptionAlgorithm.Sm2Pke,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<EncryptionAlgorithm, string> EncryptionNames = Encryption.ToFrozenDictionary(p => p.Value, p => p.Key);

    public static bool TryParse(string name, out SigningAlgorithm algorithm) => Signing.TryGetValue(name, out algorithm);

    public static bool TryParse(string name, out MacAlgorithm algorithm) => Mac.TryGetValue(name, out algorithm);

    public static bool TryParse(string name, out EncryptionAlgorithm algorithm) => Encryption.TryGetValue(name, out algorithm);

    public static bool TryParse(string name, out MessageType type)
    {
        type = name switch
        {
            "RAW" => MessageType.Raw,
            "DIGEST" => MessageType.Digest,
            "EXTERNAL_MU" => MessageType.ExternalMu,
            _ => 0,
        };
        return type != 0;
    }

    public static string Of(SigningAlgorithm algorithm) => SigningNames[algorithm];

    public static string Of(MacAlgorithm algorithm) => MacNames[algorithm];

    public static string Of(EncryptionAlgorithm algorithm) => EncryptionNames[algorithm];

    public static string Of(MessageType type) => type switch
    {
        MessageType.Raw => "RAW",
        MessageType.Digest => "DIGEST",
        MessageType.ExternalMu => "EXTERNAL_MU",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
