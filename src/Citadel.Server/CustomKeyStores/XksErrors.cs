using Citadel.Core.CustomKeyStores;
using Citadel.Core.Errors;

namespace Citadel.Server.CustomKeyStores;

/// <summary>Which KMS operation met a proxy failure: AWS answers the same failure with a different exception in each.</summary>
internal enum XksCaller
{
    /// <summary>CreateCustomKeyStore and UpdateCustomKeyStore (GetHealthStatus).</summary>
    StoreSettings,

    /// <summary>CreateKey (GetKeyMetadata).</summary>
    CreateKey,

    /// <summary>Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext).</summary>
    Cryptographic,
}

/// <summary>
/// The KMS errors of proxy failures: the exception per operation and the message per failure, as the XKS proxy API
/// specification's table "KMS Exception / KMS Exception Message" gives them (the proxy's own errorMessage is never passed
/// on); and the ConnectionErrorCode a failed ConnectCustomKeyStore records.
/// </summary>
internal static class XksErrors
{
    public const string NotConnected = "This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again.";

    private const string CannotInterpret = "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.";

    private const string Unreachable = "KMS was unable to reach the specified XksProxyUriPath. The path must be reachable before you create the external key store or update its settings.";

    public static string Message(XksFailure failure) => failure switch
    {
        XksFailure.InvalidStateException => "The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.",
        XksFailure.InvalidCiphertextException => "The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.",
        XksFailure.InvalidKeyUsageException => "The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again.",
        XksFailure.AuthenticationFailedException => "The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.",
        XksFailure.AccessDeniedException => "The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again.",
        XksFailure.KeyNotFoundException => "The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.",
        XksFailure.InvalidUriPathException => "The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary.",
        XksFailure.UnsupportedOperationException => "The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator.",
        XksFailure.DependencyTimeoutException => "The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.",
        XksFailure.ThrottlingException => "The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store.",
        XksFailure.InternalException => "The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available.",
        XksFailure.Unreachable => "AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore.",
        XksFailure.TlsFailed => "AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate.",
        XksFailure.TimedOut => "AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.",
        XksFailure.KeyManagerUnavailable => Unreachable,
        _ => CannotInterpret,
    };

    /// <summary>The error a KMS operation answers for a proxy failure.</summary>
    public static KmsError For(XksCaller caller, XksFailure failure) => caller switch
    {
        XksCaller.StoreSettings => new(failure switch
        {
            XksFailure.AuthenticationFailedException => KmsErrorCode.XksProxyIncorrectAuthenticationCredential,
            XksFailure.InvalidUriPathException or XksFailure.AccessDeniedException => KmsErrorCode.XksProxyInvalidConfiguration,
            XksFailure.Unreachable or XksFailure.TlsFailed or XksFailure.TimedOut or XksFailure.DependencyTimeoutException
                or XksFailure.ThrottlingException or XksFailure.KeyManagerUnavailable or XksFailure.InvalidStateException => KmsErrorCode.XksProxyUriUnreachable,
            _ => KmsErrorCode.XksProxyInvalidResponse,
        }, failure == XksFailure.KeyManagerUnavailable ? Unreachable : Message(failure)),
        XksCaller.CreateKey => new(failure switch
        {
            XksFailure.InvalidStateException or XksFailure.InvalidKeyUsageException or XksFailure.UnsupportedOperationException => KmsErrorCode.XksKeyInvalidConfiguration,
            XksFailure.KeyNotFoundException => KmsErrorCode.XksKeyNotFound,
            XksFailure.AccessDeniedException => KmsErrorCode.InvalidState,
            _ => KmsErrorCode.CustomKeyStoreInvalidState,
        }, Message(failure)),
        _ => new(KmsErrorCode.InvalidState, Message(failure)),
    };

    /// <summary>Why ConnectCustomKeyStore left the store FAILED (ConnectionErrorCodeType, external key stores).</summary>
    public static ConnectionErrorCode ConnectionError(XksFailure failure) => failure switch
    {
        XksFailure.AuthenticationFailedException => ConnectionErrorCode.InvalidCredentials,
        XksFailure.AccessDeniedException => ConnectionErrorCode.XksProxyAccessDenied,
        XksFailure.InvalidUriPathException => ConnectionErrorCode.XksProxyInvalidConfiguration,
        XksFailure.TlsFailed => ConnectionErrorCode.XksProxyInvalidTlsConfiguration,
        XksFailure.TimedOut or XksFailure.DependencyTimeoutException => ConnectionErrorCode.XksProxyTimedOut,
        XksFailure.Unreachable or XksFailure.KeyManagerUnavailable or XksFailure.ThrottlingException or XksFailure.InvalidStateException => ConnectionErrorCode.XksProxyNotReachable,
        _ => ConnectionErrorCode.XksProxyInvalidResponse,
    };
}
