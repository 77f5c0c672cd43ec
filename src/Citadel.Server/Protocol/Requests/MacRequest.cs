namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GenerateMac and VerifyMac (Mac only in the latter; members named as in the KMS model).</summary>
internal sealed class MacRequest
{
    public byte[]? Message { get; set; }

    public string? KeyId { get; set; }

    public string? MacAlgorithm { get; set; }

    public byte[]? Mac { get; set; }

    public List<string>? GrantTokens { get; set; }

    public bool? DryRun { get; set; }
}
