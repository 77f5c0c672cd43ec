namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of ScheduleKeyDeletion (members named as in the KMS model).</summary>
internal sealed class ScheduleKeyDeletionRequest
{
    public string? KeyId { get; set; }

    public int? PendingWindowInDays { get; set; }
}
