namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of Decrypt (members named as in the KMS model).</summary>
internal sealed class DecryptRequest
{
    public byte[]? CiphertextBlob { get; set; }

    public Dictionary<string, string>? EncryptionContext { get; set; }

    public List<string>? GrantTokens { get; set; }

    public string? KeyId { get; set; }

    public string? EncryptionAlgorithm { get; set; }

    public RecipientInfo? Recipient { get; set; }

    public bool? DryRun { get; set; }

    public List<string>? DryRunModifiers { get; set; }
}
