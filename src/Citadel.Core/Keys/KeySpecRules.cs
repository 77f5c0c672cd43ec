using Citadel.Core.Errors;

namespace Citadel.Core.Keys;

/// <summary>
/// What each key spec can do: its key usages, its algorithms and their limits, as the AWS KMS
/// developer guide's "Key spec reference" gives them, and the errors AWS answers when a request
/// asks a key for something its spec cannot do.
/// </summary>
public static class KeySpecRules
{
    private static readonly SigningAlgorithm[] RsaSigning =
    [
        SigningAlgorithm.RsassaPkcs1V15Sha256, SigningAlgorithm.RsassaPkcs1V15Sha384, SigningAlgorithm.RsassaPkcs1V15Sha512,
        SigningAlgorithm.RsassaPssSha256, SigningAlgorithm.RsassaPssSha384, SigningAlgorithm.RsassaPssSha512,
    ];

    private static readonly EncryptionAlgorithm[] RsaEncryption = [EncryptionAlgorithm.RsaesOaepSha1, EncryptionAlgorithm.RsaesOaepSha256];

    public static bool IsRsa(KeySpec spec) => spec is KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096;

    public static bool IsNistEcc(KeySpec spec) => spec is KeySpec.EccNistP256 or KeySpec.EccNistP384 or KeySpec.EccNistP521;

    public static bool IsHmac(KeySpec spec) => spec is KeySpec.Hmac224 or KeySpec.Hmac256 or KeySpec.Hmac384 or KeySpec.Hmac512;

    public static bool IsMlDsa(KeySpec spec) => spec is KeySpec.MlDsa44 or KeySpec.MlDsa65 or KeySpec.MlDsa87;

    /// <summary>Key pairs: everything but SYMMETRIC_DEFAULT and HMAC.</summary>
    public static bool IsAsymmetric(KeySpec spec) => spec != KeySpec.SymmetricDefault && !IsHmac(spec);

    /// <summary>The key usages a spec allows (CreateKey's KeyUsage documentation).</summary>
    public static bool Allows(KeySpec spec, KeyUsage usage) => spec switch
    {
        KeySpec.SymmetricDefault => usage == KeyUsage.EncryptDecrypt,
        KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096 => usage is KeyUsage.EncryptDecrypt or KeyUsage.SignVerify,
        KeySpec.EccNistP256 or KeySpec.EccNistP384 or KeySpec.EccNistP521 => usage is KeyUsage.SignVerify or KeyUsage.KeyAgreement,
        KeySpec.EccSecgP256K1 or KeySpec.EccNistEdwards25519 or KeySpec.MlDsa44 or KeySpec.MlDsa65 or KeySpec.MlDsa87 => usage == KeyUsage.SignVerify,
        KeySpec.Hmac224 or KeySpec.Hmac256 or KeySpec.Hmac384 or KeySpec.Hmac512 => usage == KeyUsage.GenerateVerifyMac,
        KeySpec.Sm2 => usage is KeyUsage.EncryptDecrypt or KeyUsage.SignVerify or KeyUsage.KeyAgreement,
        _ => false,
    };

    /// <summary>CreateKey's rules for KeySpec and KeyUsage together; null when the pair is valid.</summary>
    public static KmsError? CheckCreate(KeySpec spec, KeyUsage? usage)
    {
        if (usage is not { } given)
        {
            // AWS: KeyUsage is optional only for symmetric encryption keys.
            return spec == KeySpec.SymmetricDefault
                ? null
                : Errors.Errors.Validation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.");
        }

        return Allows(spec, given)
            ? null
            : Errors.Errors.Validation($"KeyUsage {WireNames.Of(given)} is not compatible with KeySpec {WireNames.Of(spec)}.");
    }

    /// <summary>The usage a key gets when CreateKey omits KeyUsage (only symmetric keys may omit it).</summary>
    public static KeyUsage DefaultUsage => KeyUsage.EncryptDecrypt;

    public static IReadOnlyList<SigningAlgorithm> SigningAlgorithms(KeySpec spec, KeyUsage usage)
    {
        if (usage != KeyUsage.SignVerify)
        {
            return [];
        }

        return spec switch
        {
            KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096 => RsaSigning,
            KeySpec.EccNistP256 or KeySpec.EccSecgP256K1 => [SigningAlgorithm.EcdsaSha256],
            KeySpec.EccNistP384 => [SigningAlgorithm.EcdsaSha384],
            KeySpec.EccNistP521 => [SigningAlgorithm.EcdsaSha512],
            KeySpec.EccNistEdwards25519 => [SigningAlgorithm.Ed25519Sha512, SigningAlgorithm.Ed25519PhSha512],
            KeySpec.MlDsa44 or KeySpec.MlDsa65 or KeySpec.MlDsa87 => [SigningAlgorithm.MlDsaShake256],
            KeySpec.Sm2 => [SigningAlgorithm.Sm2Dsa],
            _ => [],
        };
    }

    public static IReadOnlyList<EncryptionAlgorithm> EncryptionAlgorithms(KeySpec spec, KeyUsage usage)
    {
        if (usage != KeyUsage.EncryptDecrypt)
        {
            return [];
        }

        return spec switch
        {
            KeySpec.SymmetricDefault => [EncryptionAlgorithm.SymmetricDefault],
            KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096 => RsaEncryption,
            KeySpec.Sm2 => [EncryptionAlgorithm.Sm2Pke],
            _ => [],
        };
    }

    public static IReadOnlyList<MacAlgorithm> MacAlgorithms(KeySpec spec) => spec switch
    {
        KeySpec.Hmac224 => [MacAlgorithm.HmacSha224],
        KeySpec.Hmac256 => [MacAlgorithm.HmacSha256],
        KeySpec.Hmac384 => [MacAlgorithm.HmacSha384],
        KeySpec.Hmac512 => [MacAlgorithm.HmacSha512],
        _ => [],
    };

    /// <summary>ECDH is the one key agreement algorithm (KeyAgreementAlgorithmSpec).</summary>
    public static bool AllowsKeyAgreement(KeySpec spec, KeyUsage usage) =>
        usage == KeyUsage.KeyAgreement && (IsNistEcc(spec) || spec == KeySpec.Sm2);

    /// <summary>HMAC key material is as long as the hash output (224, 256, 384 or 512 bits).</summary>
    public static int HmacKeyLength(KeySpec spec) => spec switch
    {
        KeySpec.Hmac224 => 28,
        KeySpec.Hmac256 => 32,
        KeySpec.Hmac384 => 48,
        KeySpec.Hmac512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    /// <summary>The largest plaintext RSAES-OAEP can take: modulus bytes − 2·hash bytes − 2 (RFC 8017 §7.1.1), the figures AWS's Encrypt documents.</summary>
    public static int MaxPlaintext(KeySpec spec, EncryptionAlgorithm algorithm)
    {
        var modulus = spec switch
        {
            KeySpec.Rsa2048 => 256,
            KeySpec.Rsa3072 => 384,
            KeySpec.Rsa4096 => 512,
            _ => throw new ArgumentOutOfRangeException(nameof(spec)),
        };
        var hash = algorithm == EncryptionAlgorithm.RsaesOaepSha1 ? 20 : 32;
        return modulus - (2 * hash) - 2;
    }

    /// <summary>The digest a DIGEST message must be for the algorithm, in bytes.</summary>
    public static int DigestLength(SigningAlgorithm algorithm) => algorithm switch
    {
        SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPkcs1V15Sha256 or SigningAlgorithm.EcdsaSha256 or SigningAlgorithm.Sm2Dsa => 32,
        SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPkcs1V15Sha384 or SigningAlgorithm.EcdsaSha384 => 48,
        SigningAlgorithm.RsassaPssSha512 or SigningAlgorithm.RsassaPkcs1V15Sha512 or SigningAlgorithm.EcdsaSha512 or SigningAlgorithm.Ed25519PhSha512 => 64,
        // The 64-byte representative μ of FIPS 204 §6.2.
        SigningAlgorithm.MlDsaShake256 => 64,
        _ => 0,
    };

    /// <summary>
    /// Whether a Sign or Verify request fits the key's spec: the algorithm (InvalidKeyUsageException),
    /// then the message type and the digest length (ValidationException), in that order.
    /// </summary>
    public static KmsError? CheckSigning(KeySpec spec, SigningAlgorithm algorithm, MessageType type, int messageLength)
    {
        if (!SigningAlgorithms(spec, KeyUsage.SignVerify).Contains(algorithm))
        {
            return Errors.Errors.InvalidKeyUsage($"Algorithm {AlgorithmNames.Of(algorithm)} is incompatible with key spec {WireNames.Of(spec)}.");
        }

        var incompatibleType = (algorithm, type) switch
        {
            // ED25519_SHA_512 requires RAW and ED25519_PH_SHA_512 requires DIGEST (Sign API reference, MessageType).
            (SigningAlgorithm.Ed25519Sha512, not MessageType.Raw) or (SigningAlgorithm.Ed25519PhSha512, not MessageType.Digest) =>
                $"Message type {AlgorithmNames.Of(type)} is incompatible with algorithm {AlgorithmNames.Of(algorithm)}.",
            (SigningAlgorithm.MlDsaShake256, MessageType.Digest) or (not SigningAlgorithm.MlDsaShake256, MessageType.ExternalMu) =>
                $"Message type {AlgorithmNames.Of(type)} is incompatible with key spec {WireNames.Of(spec)}.",
            _ => null,
        };
        if (incompatibleType is not null)
        {
            return Errors.Errors.Validation(incompatibleType);
        }

        if (type != MessageType.Raw && messageLength != DigestLength(algorithm))
        {
            return Errors.Errors.Validation($"Digest is invalid length for algorithm {AlgorithmNames.Of(algorithm)}.");
        }

        return null;
    }

    /// <summary>Whether an HMAC key can compute the MAC algorithm (InvalidKeyUsageException when not).</summary>
    public static KmsError? CheckMac(KeySpec spec, MacAlgorithm algorithm) =>
        MacAlgorithms(spec).Contains(algorithm)
            ? null
            : Errors.Errors.InvalidKeyUsage($"Algorithm {AlgorithmNames.Of(algorithm)} is incompatible with key spec {WireNames.Of(spec)}.");

    /// <summary>Whether an ENCRYPT_DECRYPT key can use the encryption algorithm (InvalidKeyUsageException when not).</summary>
    public static KmsError? CheckEncryption(KeySpec spec, EncryptionAlgorithm algorithm) =>
        EncryptionAlgorithms(spec, KeyUsage.EncryptDecrypt).Contains(algorithm)
            ? null
            : Errors.Errors.InvalidKeyUsage($"Algorithm {AlgorithmNames.Of(algorithm)} is incompatible with key spec {WireNames.Of(spec)}.");

    /// <summary>The key usage a cryptographic operation needs, worded as AWS words the mismatch.</summary>
    public static KmsError? CheckUsage(KeyRecord key, KeyUsage required, string operation) =>
        key.Usage == required
            ? null
            : Errors.Errors.InvalidKeyUsage($"{key.Arn} key usage is {WireNames.Of(key.Usage)} which is not valid for {operation}.");
}
