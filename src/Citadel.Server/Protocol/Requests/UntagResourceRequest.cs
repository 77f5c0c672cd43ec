namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of UntagResource (members named as in the KMS model).</summary>
internal sealed class UntagResourceRequest
{
    public string? KeyId { get; set; }

    public List<string>? TagKeys { get; set; }
}
