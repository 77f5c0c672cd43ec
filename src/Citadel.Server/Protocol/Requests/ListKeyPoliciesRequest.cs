namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ListKeyPolicies (members named as in the KMS model).</summary>
internal sealed class ListKeyPoliciesRequest
{
    public string? KeyId { get; set; }

    public int? Limit { get; set; }

    public string? Marker { get; set; }
}
