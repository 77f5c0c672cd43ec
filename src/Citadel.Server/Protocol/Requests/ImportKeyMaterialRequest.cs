namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ImportKeyMaterial (members named as in the KMS model).</summary>
internal sealed class ImportKeyMaterialRequest
{
    public string? KeyId { get; set; }

    public byte[]? ImportToken { get; set; }

    public byte[]? EncryptedKeyMaterial { get; set; }

    /// <summary>DateType: epoch seconds, possibly fractional.</summary>
    public double? ValidTo { get; set; }

    public string? ExpirationModel { get; set; }

    public string? ImportType { get; set; }

    public string? KeyMaterialDescription { get; set; }

    public string? KeyMaterialId { get; set; }
}
