using Citadel.Core;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ScheduleKeyDeletion: PendingDeletion for 7–30 days (default 30); the deletion job deletes it when the window ends.</summary>
internal static class ScheduleKeyDeletionHandler
{
    public static KmsError? Admit(RequestContext ctx, ScheduleKeyDeletionRequest r) =>
        (r.PendingWindowInDays ?? 30) is < 7 or > 30 ? Errors.Validation("PendingWindowInDays must be between 7 and 30") : null;

    public static void Facts(RequestFacts facts, ScheduleKeyDeletionRequest r) => facts.PendingWindowInDays = r.PendingWindowInDays ?? 30;

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ScheduleKeyDeletionRequest r, KeyRecord? resolved)
    {
        var window = r.PendingWindowInDays ?? 30;
        var now = ctx.Kms.Time.GetUtcNow();
        var key = await KeyChange.ApplyAsync(ctx, resolved, k => KeyStateRules.ScheduleDeletion(k, window, now));
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("KeyId"u8, key.Value.Arn);
        if (key.Value.DeletionDate is { } deletionDate)
        {
            // A multi-Region primary key with replicas has none until its last replica is deleted (PendingReplicaDeletion).
            json.WriteEpochSeconds("DeletionDate"u8, deletionDate);
        }

        json.WriteString("KeyState"u8, WireNames.Of(key.Value.State));
        json.WriteNumber("PendingWindowInDays"u8, key.Value.PendingWindowInDays!.Value);
        json.WriteEndObject();
        return null;
    }
}
