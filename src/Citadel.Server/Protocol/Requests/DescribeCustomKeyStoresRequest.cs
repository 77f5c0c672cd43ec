namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of DescribeCustomKeyStores (members named as in the KMS model).</summary>
internal sealed class DescribeCustomKeyStoresRequest
{
    public string? CustomKeyStoreId { get; set; }

    public string? CustomKeyStoreName { get; set; }

    public int? Limit { get; set; }

    public string? Marker { get; set; }
}
