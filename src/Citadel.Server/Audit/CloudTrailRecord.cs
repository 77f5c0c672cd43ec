using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Citadel.Core.Identity;

namespace Citadel.Server.Audit;

/// <summary>Writes an event in CloudTrail's record format (CloudTrail User Guide, "CloudTrail record contents").</summary>
internal static class CloudTrailRecord
{
    public const string EventVersion = "1.11";

    public static string Build(AuditEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("eventVersion"u8, EventVersion);
            WriteIdentity(json, e);
            json.WriteString("eventTime"u8, e.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("eventSource"u8, e.EventSource);
            json.WriteString("eventName"u8, e.EventName);
            json.WriteString("awsRegion"u8, e.Region);
            if (e.EventType == "AwsApiCall")
            {
                json.WriteString("sourceIPAddress"u8, e.SourceIp ?? "");
                json.WriteString("userAgent"u8, e.UserAgent ?? "");
            }
            else
            {
                json.WriteString("sourceIPAddress"u8, "kms.amazonaws.com");
                json.WriteString("userAgent"u8, "kms.amazonaws.com");
            }

            if (e.ErrorCode is not null)
            {
                json.WriteString("errorCode"u8, e.ErrorCode);
                json.WriteString("errorMessage"u8, e.ErrorMessage ?? "");
            }

            WriteRaw(json, "requestParameters"u8, e.RequestParameters);
            WriteRaw(json, "responseElements"u8, e.ResponseElements);
            if (e.AdditionalEventData is not null)
            {
                WriteRaw(json, "additionalEventData"u8, e.AdditionalEventData);
            }

            if (e.RequestId is not null)
            {
                json.WriteString("requestID"u8, e.RequestId);
            }

            json.WriteString("eventID"u8, e.EventId);
            json.WriteBoolean("readOnly"u8, e.ReadOnly);
            if (e.ResourceArn is not null)
            {
                json.WriteStartArray("resources"u8);
                json.WriteStartObject();
                json.WriteString("accountId"u8, e.ResourceAccountId ?? e.AccountId);
                json.WriteString("type"u8, "AWS::KMS::Key"u8);
                json.WriteString("ARN"u8, e.ResourceArn);
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteString("eventType"u8, e.EventType);
            json.WriteBoolean("managementEvent"u8, true);
            json.WriteString("recipientAccountId"u8, e.AccountId);
            json.WriteString("eventCategory"u8, "Management"u8);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteIdentity(Utf8JsonWriter json, AuditEvent e)
    {
        json.WriteStartObject("userIdentity"u8);
        if (e.Principal is { } principal)
        {
            json.WriteString("type"u8, principal.Type switch
            {
                PrincipalType.Root => "Root",
                PrincipalType.IamUser => "IAMUser",
                _ => "AssumedRole",
            });
            json.WriteString("principalId"u8, principal.PrincipalId);
            json.WriteString("arn"u8, principal.Arn);
            json.WriteString("accountId"u8, principal.AccountId);
            if (e.AccessKeyId is not null)
            {
                json.WriteString("accessKeyId"u8, e.AccessKeyId);
            }

            if (principal.Type == PrincipalType.IamUser)
            {
                json.WriteString("userName"u8, e.Username);
            }

            if (e.InvokedBy is not null)
            {
                json.WriteString("invokedBy"u8, e.InvokedBy);
            }
        }
        else
        {
            // Background actions of the service itself, as CloudTrail records KMS's own events.
            json.WriteString("accountId"u8, e.AccountId);
            json.WriteString("invokedBy"u8, "kms.amazonaws.com"u8);
        }

        json.WriteEndObject();
    }

    private static void WriteRaw(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? raw)
    {
        json.WritePropertyName(name);
        if (raw is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(raw, skipInputValidation: true);
        }
    }
}
