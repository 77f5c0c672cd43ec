namespace Citadel.Core.CustomKeyStores;

/// <summary>CustomKeyStoreType: where a custom key store's keys live. Numbers are stored: never renumber.</summary>
public enum CustomKeyStoreType
{
    AwsCloudHsm = 1,
    ExternalKeyStore = 2,
}

/// <summary>ConnectionStateType of the KMS model. Numbers are stored: never renumber.</summary>
public enum KeyStoreConnectionState
{
    Connected = 1,
    Connecting = 2,
    Failed = 3,
    Disconnected = 4,
    Disconnecting = 5,
}

/// <summary>XksProxyConnectivityType: how the server reaches the proxy. Numbers are stored: never renumber.</summary>
public enum XksProxyConnectivity
{
    PublicEndpoint = 1,
    VpcEndpointService = 2,
}

/// <summary>ConnectionErrorCodeType: why a connection attempt failed (the external key store's subset). Numbers are stored: never renumber.</summary>
public enum ConnectionErrorCode
{
    InternalError = 1,
    NetworkErrors = 2,
    InvalidCredentials = 3,
    XksProxyAccessDenied = 4,
    XksProxyNotReachable = 5,
    XksProxyInvalidResponse = 6,
    XksProxyInvalidConfiguration = 7,
    XksProxyTimedOut = 8,
    XksProxyInvalidTlsConfiguration = 9,
    XksVpcEndpointServiceNotFound = 10,
}

/// <summary>The wire names of the custom key store enums, as the KMS model spells them.</summary>
public static class CustomKeyStoreNames
{
    public static string Of(CustomKeyStoreType type) => type == CustomKeyStoreType.AwsCloudHsm ? "AWS_CLOUDHSM" : "EXTERNAL_KEY_STORE";

    public static string Of(XksProxyConnectivity connectivity) => connectivity == XksProxyConnectivity.PublicEndpoint ? "PUBLIC_ENDPOINT" : "VPC_ENDPOINT_SERVICE";

    public static string Of(KeyStoreConnectionState state) => state switch
    {
        KeyStoreConnectionState.Connected => "CONNECTED",
        KeyStoreConnectionState.Connecting => "CONNECTING",
        KeyStoreConnectionState.Failed => "FAILED",
        KeyStoreConnectionState.Disconnecting => "DISCONNECTING",
        _ => "DISCONNECTED",
    };

    public static string Of(ConnectionErrorCode code) => code switch
    {
        ConnectionErrorCode.InternalError => "INTERNAL_ERROR",
        ConnectionErrorCode.NetworkErrors => "NETWORK_ERRORS",
        ConnectionErrorCode.InvalidCredentials => "INVALID_CREDENTIALS",
        ConnectionErrorCode.XksProxyAccessDenied => "XKS_PROXY_ACCESS_DENIED",
        ConnectionErrorCode.XksProxyNotReachable => "XKS_PROXY_NOT_REACHABLE",
        ConnectionErrorCode.XksProxyInvalidResponse => "XKS_PROXY_INVALID_RESPONSE",
        ConnectionErrorCode.XksProxyInvalidConfiguration => "XKS_PROXY_INVALID_CONFIGURATION",
        ConnectionErrorCode.XksProxyTimedOut => "XKS_PROXY_TIMED_OUT",
        ConnectionErrorCode.XksProxyInvalidTlsConfiguration => "XKS_PROXY_INVALID_TLS_CONFIGURATION",
        _ => "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND",
    };
}
