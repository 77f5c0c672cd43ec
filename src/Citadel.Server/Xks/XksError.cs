namespace Citadel.Server.Xks;

/// <summary>
/// An XKS proxy API error: the specification's errorName and HTTP status, and an errorMessage of printable ASCII under
/// 512 characters (AWS KMS logs it for the calling account; it never carries a secret).
/// </summary>
internal readonly record struct XksError(string Name, int Status, string Message)
{
    public static XksError Validation(string message) => new("ValidationException", 400, message);

    public static XksError InvalidState(string message) => new("InvalidStateException", 400, message);

    public static XksError InvalidCiphertext() => new("InvalidCiphertextException", 400, "The request was rejected because the specified ciphertext, initialization vector, additional authenticated data or authentication tag is corrupted, missing, or otherwise invalid.");

    public static XksError InvalidKeyUsage(string message) => new("InvalidKeyUsageException", 400, message);

    public static XksError AuthenticationFailed(string message) => new("AuthenticationFailedException", 401, message);

    public static XksError AccessDenied(string message) => new("AccessDeniedException", 403, message);

    public static XksError KeyNotFound(string externalKeyId) => new("KeyNotFoundException", 404, $"The external key {externalKeyId} is not found.");

    public static XksError InvalidUriPath() => new("InvalidUriPathException", 404, "The request was rejected because the specified URI path is not valid.");

    public static XksError Unsupported(string message) => new("UnsupportedOperationException", 501, message);

    public static XksError Internal(string requestId) => new("InternalException", 500, $"The XKS proxy failed inside; the request id is {requestId}.");
}
