namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ListResourceTags (members named as in the KMS model).</summary>
internal sealed class ListResourceTagsRequest
{
    public string? KeyId { get; set; }

    public int? Limit { get; set; }

    public string? Marker { get; set; }
}
