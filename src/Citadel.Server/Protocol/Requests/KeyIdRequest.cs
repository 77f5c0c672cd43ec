namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of EnableKey, DisableKey and CancelKeyDeletion: a key id or key ARN.</summary>
internal sealed class KeyIdRequest
{
    public string? KeyId { get; set; }
}
