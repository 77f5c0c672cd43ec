namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GetPublicKey (members named as in the KMS model).</summary>
internal sealed class GetPublicKeyRequest
{
    public string? KeyId { get; set; }

    public List<string>? GrantTokens { get; set; }
}
