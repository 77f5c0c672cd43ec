namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of RevokeGrant (members named as in the KMS model).</summary>
internal sealed class RevokeGrantRequest
{
    public string? KeyId { get; set; }

    public string? GrantId { get; set; }

    public bool? DryRun { get; set; }
}
