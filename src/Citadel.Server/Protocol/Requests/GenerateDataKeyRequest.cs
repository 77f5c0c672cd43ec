namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GenerateDataKey and GenerateDataKeyWithoutPlaintext (the latter has no Recipient).</summary>
internal sealed class GenerateDataKeyRequest
{
    public string? KeyId { get; set; }

    public Dictionary<string, string>? EncryptionContext { get; set; }

    public int? NumberOfBytes { get; set; }

    public string? KeySpec { get; set; }

    public List<string>? GrantTokens { get; set; }

    public RecipientInfo? Recipient { get; set; }

    public bool? DryRun { get; set; }
}
