namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of CreateKey (members named as in the KMS model).</summary>
internal sealed class CreateKeyRequest
{
    public string? Policy { get; set; }

    public string? Description { get; set; }

    public string? KeyUsage { get; set; }

    public string? CustomerMasterKeySpec { get; set; }

    public string? KeySpec { get; set; }

    public string? Origin { get; set; }

    public string? CustomKeyStoreId { get; set; }

    public bool? BypassPolicyLockoutSafetyCheck { get; set; }

    public List<TagEntry>? Tags { get; set; }

    public bool? MultiRegion { get; set; }

    public string? XksKeyId { get; set; }
}
