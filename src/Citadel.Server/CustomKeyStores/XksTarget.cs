namespace Citadel.Server.CustomKeyStores;

/// <summary>Where and as whom to call a proxy: its endpoint and path, the store's credential and the KMS Region that signs.</summary>
/// <param name="UriEndpoint">https:// and the proxy's host name.</param>
/// <param name="UriPath">[/prefix]/kms/xks/v1.</param>
/// <param name="AccessKeyId">The credential's access key id.</param>
/// <param name="Secret">The credential's raw secret access key, UTF-8 (the caller keeps it and wipes it).</param>
/// <param name="Region">The Region of the store, which signs the request (SigV4 scope).</param>
internal sealed record XksTarget(string UriEndpoint, string UriPath, string AccessKeyId, byte[] Secret, string Region);

/// <summary>The requestMetadata of a proxy call (XKS proxy API): who called which KMS operation, in which request, on which key.</summary>
internal readonly record struct XksRequestMetadata(string KmsOperation, string KmsRequestId, string? AwsPrincipalArn = null, string? KmsKeyArn = null);

/// <summary>The outcome of a proxy call: the value, or why it failed; and what the audit event records of it.</summary>
internal readonly record struct XksResult<T>(T? Value, XksFailure Failure, int HttpStatus)
{
    public bool IsSuccess => Failure == XksFailure.None;
}

/// <summary>The external key's metadata (GetKeyMetadata).</summary>
internal sealed record XksKeyMetadata(string KeySpec, IReadOnlyList<string> KeyUsage, string KeyStatus);

/// <summary>The proxy's encrypt output.</summary>
internal sealed record XksEncryptOutput(byte[] Ciphertext, byte[] InitializationVector, byte[] AuthenticationTag, byte[] CiphertextMetadata, byte[]? IntegrityValue);
