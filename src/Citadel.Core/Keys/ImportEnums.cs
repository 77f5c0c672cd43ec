namespace Citadel.Core.Keys;

/// <summary>Whether imported key material expires (<c>ExpirationModelType</c> in the KMS model).</summary>
public enum ExpirationModel
{
    KeyMaterialExpires = 1,
    KeyMaterialDoesNotExpire = 2,
}

/// <summary>Whether a version of imported key material is present (<c>ImportState</c> in the KMS model).</summary>
public enum MaterialImportState
{
    Imported = 1,
    PendingImport = 2,
}

/// <summary>The algorithm a customer wraps key material with for import (<c>AlgorithmSpec</c> in the KMS model, the supported part).</summary>
public enum WrappingAlgorithm
{
    RsaesOaepSha1 = 1,
    RsaesOaepSha256 = 2,
    RsaAesKeyWrapSha1 = 3,
    RsaAesKeyWrapSha256 = 4,
}
