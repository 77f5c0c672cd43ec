namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of DeriveSharedSecret (members named as in the KMS model).</summary>
internal sealed class DeriveSharedSecretRequest
{
    public string? KeyId { get; set; }

    public string? KeyAgreementAlgorithm { get; set; }

    public byte[]? PublicKey { get; set; }

    public List<string>? GrantTokens { get; set; }

    public bool? DryRun { get; set; }

    public RecipientInfo? Recipient { get; set; }
}
