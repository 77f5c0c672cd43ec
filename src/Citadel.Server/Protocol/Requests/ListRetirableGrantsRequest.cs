namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ListRetirableGrants (members named as in the KMS model).</summary>
internal sealed class ListRetirableGrantsRequest
{
    public int? Limit { get; set; }

    public string? Marker { get; set; }

    public string? RetiringPrincipal { get; set; }
}
