namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of DescribeKey (members named as in the KMS model).</summary>
internal sealed class DescribeKeyRequest
{
    public string? KeyId { get; set; }

    public List<string>? GrantTokens { get; set; }
}
