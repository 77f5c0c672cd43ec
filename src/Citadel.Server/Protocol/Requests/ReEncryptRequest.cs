namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ReEncrypt (members named as in the KMS model).</summary>
internal sealed class ReEncryptRequest
{
    public byte[]? CiphertextBlob { get; set; }

    public Dictionary<string, string>? SourceEncryptionContext { get; set; }

    public string? SourceKeyId { get; set; }

    public string? DestinationKeyId { get; set; }

    public Dictionary<string, string>? DestinationEncryptionContext { get; set; }

    public string? SourceEncryptionAlgorithm { get; set; }

    public string? DestinationEncryptionAlgorithm { get; set; }

    public List<string>? GrantTokens { get; set; }

    public bool? DryRun { get; set; }

    public List<string>? DryRunModifiers { get; set; }
}
