namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ListKeys (members named as in the KMS model).</summary>
internal sealed class ListKeysRequest
{
    public int? Limit { get; set; }

    public string? Marker { get; set; }
}
