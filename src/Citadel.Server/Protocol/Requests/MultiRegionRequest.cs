namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ReplicateKey and UpdatePrimaryRegion (members named as in the KMS model).</summary>
internal sealed class MultiRegionRequest
{
    public string? KeyId { get; set; }

    public string? ReplicaRegion { get; set; }

    public string? PrimaryRegion { get; set; }

    public string? Policy { get; set; }

    public bool? BypassPolicyLockoutSafetyCheck { get; set; }

    public string? Description { get; set; }

    public List<TagEntry>? Tags { get; set; }
}
