namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of CloudTrail's LookupEvents (members named as in the CloudTrail model).</summary>
internal sealed class LookupEventsRequest
{
    public List<LookupAttributeEntry>? LookupAttributes { get; set; }

    public double? StartTime { get; set; }

    public double? EndTime { get; set; }

    public string? EventCategory { get; set; }

    public int? MaxResults { get; set; }

    public string? NextToken { get; set; }
}
