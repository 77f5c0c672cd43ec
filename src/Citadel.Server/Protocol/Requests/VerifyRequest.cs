namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of Verify (members named as in the KMS model).</summary>
internal sealed class VerifyRequest
{
    public string? KeyId { get; set; }

    public byte[]? Message { get; set; }

    public string? MessageType { get; set; }

    public byte[]? Signature { get; set; }

    public string? SigningAlgorithm { get; set; }

    public List<string>? GrantTokens { get; set; }

    public bool? DryRun { get; set; }
}
