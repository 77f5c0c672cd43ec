using System.Text.Json;
using Citadel.Core.Audit;

namespace Citadel.Server.Protocol.Responses;

/// <summary>CloudTrail's LookupEvents response: a page of events, newest first, and the token of the next.</summary>
internal readonly record struct LookupEventsResponse(IReadOnlyList<AuditRecord> Events, string? NextToken) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("Events"u8);
        foreach (var record in Events)
        {
            json.WriteStartObject();
            json.WriteString("EventId"u8, record.EventId);
            json.WriteString("EventName"u8, record.EventName);
            json.WriteString("ReadOnly"u8, record.ReadOnly ? "true"u8 : "false"u8);
            if (record.AccessKeyId is not null)
            {
                json.WriteString("AccessKeyId"u8, record.AccessKeyId);
            }

            json.WriteEpochSeconds("EventTime"u8, record.EventTime);
            json.WriteString("EventSource"u8, record.EventSource);
            if (record.Username is not null)
            {
                json.WriteString("Username"u8, record.Username);
            }

            json.WriteStartArray("Resources"u8);
            if (record.ResourceName is not null)
            {
                json.WriteStartObject();
                json.WriteString("ResourceType"u8, "AWS::KMS::Key"u8);
                json.WriteString("ResourceName"u8, record.ResourceName);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("CloudTrailEvent"u8, record.Record);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (NextToken is not null)
        {
            json.WriteString("NextToken"u8, NextToken);
        }

        json.WriteEndObject();
    }
}
