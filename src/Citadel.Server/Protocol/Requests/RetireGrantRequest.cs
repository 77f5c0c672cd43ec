namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of RetireGrant (members named as in the KMS model).</summary>
internal sealed class RetireGrantRequest
{
    public string? GrantToken { get; set; }

    public string? KeyId { get; set; }

    public string? GrantId { get; set; }

    public bool? DryRun { get; set; }
}
