namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of Encrypt (members named as in the KMS model).</summary>
internal sealed class EncryptRequest
{
    public string? KeyId { get; set; }

    public byte[]? Plaintext { get; set; }

    public Dictionary<string, string>? EncryptionContext { get; set; }

    public List<string>? GrantTokens { get; set; }

    public string? EncryptionAlgorithm { get; set; }

    public bool? DryRun { get; set; }
}
