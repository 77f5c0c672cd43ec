namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ListKeyRotations (members named as in the KMS model).</summary>
internal sealed class ListKeyRotationsRequest
{
    public string? KeyId { get; set; }

    public string? IncludeKeyMaterial { get; set; }

    public int? Limit { get; set; }

    public string? Marker { get; set; }
}
