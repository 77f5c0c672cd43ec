namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of UpdateKeyDescription (members named as in the KMS model).</summary>
internal sealed class UpdateKeyDescriptionRequest
{
    public string? KeyId { get; set; }

    public string? Description { get; set; }
}
