using System.Text.Json;
using Citadel.Core;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ScheduleKeyDeletion's response, from the key as scheduled.</summary>
internal readonly record struct ScheduleKeyDeletionResponse(KeyRecord Key) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, Key.Arn);
        if (Key.DeletionDate is { } deletionDate)
        {
            // A multi-Region primary key with replicas has none until its last replica is deleted (PendingReplicaDeletion).
            json.WriteEpochSeconds("DeletionDate"u8, deletionDate);
        }

        json.WriteString("KeyState"u8, WireNames.Of(Key.State));
        json.WriteNumber("PendingWindowInDays"u8, Key.PendingWindowInDays!.Value);
        json.WriteEndObject();
    }
}
