namespace Citadel.Server.Protocol.Requests;

/// <summary>One LookupAttribute of LookupEvents.</summary>
internal sealed class LookupAttributeEntry
{
    public string? AttributeKey { get; set; }

    public string? AttributeValue { get; set; }
}
