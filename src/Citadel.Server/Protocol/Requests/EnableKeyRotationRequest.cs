namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of EnableKeyRotation (members named as in the KMS model).</summary>
internal sealed class EnableKeyRotationRequest
{
    public string? KeyId { get; set; }

    public int? RotationPeriodInDays { get; set; }
}
