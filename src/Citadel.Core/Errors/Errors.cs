using Citadel.Core.Keys;

namespace Citadel.Core.Errors;

/// <summary>
/// AWS's messages for the failures Core decides. Wording follows what AWS KMS returns;
/// keeping it in one place keeps it consistent.
/// </summary>
public static class Errors
{
    public static KmsError KeyNotFound(string keyArn) => new(KmsErrorCode.NotFound, $"Key '{keyArn}' does not exist");

    public static KmsError AliasNotFound(string aliasArn) => new(KmsErrorCode.NotFound, $"Alias {aliasArn} is not found.");

    public static KmsError InvalidKeyId(string keyId) => new(KmsErrorCode.NotFound, $"Invalid keyId '{keyId}'");

    public static KmsError InvalidArnRegion(string region) => new(KmsErrorCode.NotFound, $"Invalid arn {region}");

    /// <summary>Decrypt of a ciphertext whose key is absent, in another region, or not accessible.</summary>
    public static KmsError CiphertextKeyInaccessible() => new(
        KmsErrorCode.AccessDenied,
        "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.");

    public static KmsError Disabled(string keyArn) => new(KmsErrorCode.Disabled, $"{keyArn} is disabled.");

    public static KmsError PendingDeletion(string keyArn) => new(KmsErrorCode.InvalidState, $"{keyArn} is pending deletion.");

    public static KmsError NotPendingDeletion(string keyArn) => new(KmsErrorCode.InvalidState, $"{keyArn} is not pending deletion.");

    public static KmsError InvalidState(string keyArn, KeyState state) => new(KmsErrorCode.InvalidState, $"{keyArn} is {WireNames.Phrase(state)}.");

    public static KmsError InvalidCiphertext() => new(KmsErrorCode.InvalidCiphertext, "");

    public static KmsError IncorrectKey() => new(
        KmsErrorCode.IncorrectKey,
        "The key ID in the request does not identify a CMK that can perform this operation.");

    public static KmsError DryRun() => new(
        KmsErrorCode.DryRunOperation,
        "The request would have succeeded, but the DryRun option is set.");

    public static KmsError Validation(string message) => new(KmsErrorCode.Validation, message);

    public static KmsError InvalidKeyUsage(string message) => new(KmsErrorCode.InvalidKeyUsage, message);
}
