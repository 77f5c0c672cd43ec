namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ConnectCustomKeyStore, DisconnectCustomKeyStore and DeleteCustomKeyStore: a custom key store id.</summary>
internal sealed class CustomKeyStoreIdRequest
{
    public string? CustomKeyStoreId { get; set; }
}
