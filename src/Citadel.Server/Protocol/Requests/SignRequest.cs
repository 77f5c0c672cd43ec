namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of Sign (members named as in the KMS model).</summary>
internal sealed class SignRequest
{
    public string? KeyId { get; set; }

    public byte[]? Message { get; set; }

    public string? MessageType { get; set; }

    public List<string>? GrantTokens { get; set; }

    public string? SigningAlgorithm { get; set; }

    public bool? DryRun { get; set; }
}
