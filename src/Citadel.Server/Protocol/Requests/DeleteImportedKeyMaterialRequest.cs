namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of DeleteImportedKeyMaterial (members named as in the KMS model).</summary>
internal sealed class DeleteImportedKeyMaterialRequest
{
    public string? KeyId { get; set; }

    public string? KeyMaterialId { get; set; }
}
