namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (the latter has no Recipient).</summary>
internal sealed class GenerateDataKeyPairRequest
{
    public Dictionary<string, string>? EncryptionContext { get; set; }

    public string? KeyId { get; set; }

    public string? KeyPairSpec { get; set; }

    public List<string>? GrantTokens { get; set; }

    public RecipientInfo? Recipient { get; set; }

    public bool? DryRun { get; set; }
}
