namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of PutKeyPolicy (members named as in the KMS model).</summary>
internal sealed class PutKeyPolicyRequest
{
    public string? KeyId { get; set; }

    public string? PolicyName { get; set; }

    public string? Policy { get; set; }

    public bool? BypassPolicyLockoutSafetyCheck { get; set; }
}
