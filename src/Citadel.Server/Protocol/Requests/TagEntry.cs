namespace Citadel.Server.Protocol.Requests;

/// <summary>A tag as it appears on the wire (Tag in the KMS model).</summary>
internal sealed class TagEntry
{
    public string? TagKey { get; set; }

    public string? TagValue { get; set; }
}
