namespace Citadel.Server.CustomKeyStores;

/// <summary>Why a call to an XKS proxy failed: the proxy's errorName (XKS proxy API, "Error codes"), or what the server saw.</summary>
internal enum XksFailure
{
    None = 0,
    ValidationException,
    InvalidStateException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    AuthenticationFailedException,
    AccessDeniedException,
    KeyNotFoundException,
    InvalidUriPathException,
    ThrottlingException,
    UnsupportedOperationException,
    DependencyTimeoutException,
    InternalException,

    /// <summary>No TCP connection (refused, no route, name not resolved).</summary>
    Unreachable,

    /// <summary>No TLS connection (certificate not trusted, name mismatch, protocol).</summary>
    TlsFailed,

    /// <summary>No answer within <see cref="CustomKeyStoreOptions.ProxyTimeout"/>.</summary>
    TimedOut,

    /// <summary>An answer that is not what the API specifies (not JSON, missing fields, wrong sizes, integrity value mismatch).</summary>
    MalformedResponse,

    /// <summary>Every external key manager behind the proxy reports UNAVAILABLE (GetHealthStatus).</summary>
    KeyManagerUnavailable,
}
