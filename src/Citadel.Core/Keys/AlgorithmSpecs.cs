namespace Citadel.Core.Keys;

/// <summary>Signing algorithms (<c>SigningAlgorithmSpec</c> in the KMS model).</summary>
public enum SigningAlgorithm
{
    RsassaPssSha256 = 1,
    RsassaPssSha384 = 2,
    RsassaPssSha512 = 3,
    RsassaPkcs1V15Sha256 = 4,
    RsassaPkcs1V15Sha384 = 5,
    RsassaPkcs1V15Sha512 = 6,
    EcdsaSha256 = 7,
    EcdsaSha384 = 8,
    EcdsaSha512 = 9,
    Sm2Dsa = 10,
    MlDsaShake256 = 11,
    Ed25519Sha512 = 12,
    Ed25519PhSha512 = 13,
}

/// <summary>What the Message member of Sign and Verify holds (<c>MessageType</c> in the KMS model).</summary>
public enum MessageType
{
    Raw = 1,
    Digest = 2,
    ExternalMu = 3,
}

/// <summary>MAC algorithms (<c>MacAlgorithmSpec</c> in the KMS model).</summary>
public enum MacAlgorithm
{
    HmacSha224 = 1,
    HmacSha256 = 2,
    HmacSha384 = 3,
    HmacSha512 = 4,
}

/// <summary>Encryption algorithms (<c>EncryptionAlgorithmSpec</c> in the KMS model).</summary>
public enum EncryptionAlgorithm
{
    SymmetricDefault = 1,
    RsaesOaepSha1 = 2,
    RsaesOaepSha256 = 3,
    Sm2Pke = 4,
}
