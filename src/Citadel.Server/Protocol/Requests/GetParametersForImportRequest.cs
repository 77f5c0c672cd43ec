namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GetParametersForImport (members named as in the KMS model).</summary>
internal sealed class GetParametersForImportRequest
{
    public string? KeyId { get; set; }

    public string? WrappingAlgorithm { get; set; }

    public string? WrappingKeySpec { get; set; }
}
