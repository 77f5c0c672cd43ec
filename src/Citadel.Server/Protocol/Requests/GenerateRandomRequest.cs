namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GenerateRandom (members named as in the KMS model).</summary>
internal sealed class GenerateRandomRequest
{
    public int? NumberOfBytes { get; set; }

    public string? CustomKeyStoreId { get; set; }

    public RecipientInfo? Recipient { get; set; }
}
