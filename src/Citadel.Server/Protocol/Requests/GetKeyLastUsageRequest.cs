namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GetKeyLastUsage (members named as in the KMS model).</summary>
internal sealed class GetKeyLastUsageRequest
{
    public string? KeyId { get; set; }
}
