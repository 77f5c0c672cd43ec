namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GetKeyPolicy (members named as in the KMS model).</summary>
internal sealed class GetKeyPolicyRequest
{
    public string? KeyId { get; set; }

    public string? PolicyName { get; set; }
}
