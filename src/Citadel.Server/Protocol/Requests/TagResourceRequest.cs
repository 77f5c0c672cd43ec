namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of TagResource (members named as in the KMS model).</summary>
internal sealed class TagResourceRequest
{
    public string? KeyId { get; set; }

    public List<TagEntry>? Tags { get; set; }
}
