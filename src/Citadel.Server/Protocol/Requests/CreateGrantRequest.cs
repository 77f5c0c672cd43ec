namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of CreateGrant (members named as in the KMS model).</summary>
internal sealed class CreateGrantRequest
{
    public string? KeyId { get; set; }

    public string? GranteePrincipal { get; set; }

    public string? RetiringPrincipal { get; set; }

    public List<string>? Operations { get; set; }

    public GrantConstraintsEntry? Constraints { get; set; }

    public List<string>? GrantTokens { get; set; }

    public string? Name { get; set; }

    public bool? DryRun { get; set; }
}
