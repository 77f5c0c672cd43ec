namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ListGrants (members named as in the KMS model).</summary>
internal sealed class ListGrantsRequest
{
    public int? Limit { get; set; }

    public string? Marker { get; set; }

    public string? KeyId { get; set; }

    public string? GrantId { get; set; }

    public string? GranteePrincipal { get; set; }
}
