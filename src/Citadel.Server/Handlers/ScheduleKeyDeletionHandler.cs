using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>ScheduleKeyDeletion: PendingDeletion for 7–30 days (default 30); the deletion job deletes it when the window ends.</summary>
internal static class ScheduleKeyDeletionHandler
{
    public static KmsError? Admit(Caller caller, ScheduleKeyDeletionRequest r) =>
        (r.PendingWindowInDays ?? 30) is < 7 or > 30 ? Errors.Validation("PendingWindowInDays must be between 7 and 30") : null;

    public static void Facts(RequestFacts facts, ScheduleKeyDeletionRequest r) => facts.PendingWindowInDays = r.PendingWindowInDays ?? 30;

    public static async ValueTask<Result<ScheduleKeyDeletionResponse>> ScheduleKeyDeletionAsync(KmsRuntime kms, ScheduleKeyDeletionRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var window = r.PendingWindowInDays ?? 30;
        var now = kms.Time.GetUtcNow();
        var key = await KeyChange.ApplyAsync(kms, caller, resolved, k => KeyStateRules.ScheduleDeletion(k, window, now), ct);
        if (!key.IsSuccess)
        {
            return key.Error.Value;
        }

        return new ScheduleKeyDeletionResponse(key.Value);
    }
}
