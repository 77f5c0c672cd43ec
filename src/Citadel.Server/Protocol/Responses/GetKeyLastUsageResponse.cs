using System.Text.Json;
using Citadel.Core.Audit;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GetKeyLastUsage's response: the key's last successful cryptographic use, if any (with its request id when recorded).</summary>
internal readonly record struct GetKeyLastUsageResponse(KeyRecord Key, AuditRecord? Last, string? RequestId) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, Key.Arn);
        if (Last is not null)
        {
            json.WriteStartObject("KeyLastUsage"u8);
            json.WriteString("Operation"u8, Last.EventName);
            json.WriteEpochSeconds("Timestamp"u8, Last.EventTime);
            json.WriteString("CloudTrailEventId"u8, Last.EventId);
            if (RequestId is not null)
            {
                json.WriteString("KmsRequestId"u8, RequestId);
            }

            json.WriteEndObject();
        }

        json.WriteEpochSeconds("TrackingStartDate"u8, Key.CreatedAt);
        json.WriteEpochSeconds("KeyCreationDate"u8, Key.CreatedAt);
        json.WriteEndObject();
    }
}
