namespace Citadel.Core.Keys;

/// <summary>Key states as AWS names them (<c>KeyState</c> in the KMS model).</summary>
public enum KeyState
{
    Creating = 1,
    Enabled = 2,
    Disabled = 3,
    PendingDeletion = 4,
    PendingImport = 5,
    PendingReplicaDeletion = 6,
    Unavailable = 7,
    Updating = 8,
}

/// <summary>Key specs (<c>KeySpec</c> in the KMS model).</summary>
public enum KeySpec
{
    SymmetricDefault = 1,
    Rsa2048 = 2,
    Rsa3072 = 3,
    Rsa4096 = 4,
    EccNistP256 = 5,
    EccNistP384 = 6,
    EccNistP521 = 7,
    EccSecgP256K1 = 8,
    Hmac224 = 9,
    Hmac256 = 10,
    Hmac384 = 11,
    Hmac512 = 12,
    Sm2 = 13,
    MlDsa44 = 14,
    MlDsa65 = 15,
    MlDsa87 = 16,
    EccNistEdwards25519 = 17,
}

/// <summary>Key usages (<c>KeyUsageType</c> in the KMS model).</summary>
public enum KeyUsage
{
    EncryptDecrypt = 1,
    SignVerify = 2,
    GenerateVerifyMac = 3,
    KeyAgreement = 4,
}

/// <summary>Where key material came from (<c>OriginType</c> in the KMS model).</summary>
public enum KeyOrigin
{
    AwsKms = 1,
    External = 2,
    AwsCloudHsm = 3,
    ExternalKeyStore = 4,
}

/// <summary>Who manages a key: the customer, or an integrated service on the customer's behalf.</summary>
public enum KeyManager
{
    Customer = 1,
    Aws = 2,
}

/// <summary>How a key-material version came to be.</summary>
public enum MaterialOrigin
{
    Created = 1,
    AutomaticRotation = 2,
    OnDemandRotation = 3,
}
