using System.Globalization;
using System.Text.Json;
using Citadel.Core.Identity;

namespace Citadel.Server.Audit;

/// <summary>Writes an event in CloudTrail's record format (CloudTrail User Guide, "CloudTrail record contents").</summary>
internal static class CloudTrailRecord
{
    public const string EventVersion = "1.11";

    /// <summary>Writes the record; allocates nothing beyond what the writer's buffer needs.</summary>
    public static void Write(Utf8JsonWriter json, AuditEvent e)
    {
        json.WriteStartObject();
        json.WriteString("eventVersion"u8, EventVersion);
        WriteIdentity(json, e);
        Span<byte> text = stackalloc byte[64];
        var written = FormatTime(e.EventTime, text);
        json.WriteString("eventTime"u8, text[..written]);
        json.WriteString("eventSource"u8, e.EventSource);
        json.WriteString("eventName"u8, e.EventName);
        json.WriteString("awsRegion"u8, e.Region);
        if (e.EventType == "AwsApiCall" && !IsInternalCall(e))
        {
            if (e.SourceIp is null || !e.SourceIp.TryFormat(text, out written))
            {
                written = 0;
            }

            json.WriteString("sourceIPAddress"u8, text[..written]);
            json.WriteString("userAgent"u8, e.UserAgent ?? "");
        }
        else
        {
            json.WriteString("sourceIPAddress"u8, e.InvokedBy ?? "kms.amazonaws.com");
            json.WriteString("userAgent"u8, e.InvokedBy ?? "kms.amazonaws.com");
        }

        if (e.ErrorCode is not null)
        {
            json.WriteString("errorCode"u8, e.ErrorCode);
            json.WriteString("errorMessage"u8, e.ErrorMessage ?? "");
        }

        if (e.RequestParameters is not null)
        {
            WriteRaw(json, "requestParameters"u8, e.RequestParameters);
        }
        else
        {
            ParameterFilter.Write(json, "requestParameters"u8, e.RequestBody.Span, AuditMembers.Request(e.EventName));
        }

        if (e.ResponseElements is not null)
        {
            WriteRaw(json, "responseElements"u8, e.ResponseElements);
        }
        else
        {
            ParameterFilter.Write(json, "responseElements"u8, e.ResponseBody.Span, AuditMembers.Response(e.EventName));
        }
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

    /// <summary>A call the service makes itself (SynchronizeMultiRegionKey): no principal, invoked by <see cref="ServiceEvents.InternalCaller"/>.</summary>
    private static bool IsInternalCall(AuditEvent e) => e.Principal is null && e.InvokedBy is not null;

    private static void WriteIdentity(Utf8JsonWriter json, AuditEvent e)
    {
        json.WriteStartObject("userIdentity"u8);
        if (e.Principal is { } principal)
        {
            json.WriteString("type"u8, principal.Type switch
            {
                PrincipalType.Root => "Root",
                PrincipalType.IamUser => "IAMUser",
                PrincipalType.WebIdentityUser => "WebIdentityUser",
                _ => "AssumedRole",
            });
            json.WriteString("principalId"u8, principal.PrincipalId);
            json.WriteString("arn"u8, principal.Arn);
            json.WriteString("accountId"u8, principal.AccountId);
            if (e.AccessKeyId is not null)
            {
                json.WriteString("accessKeyId"u8, e.AccessKeyId);
            }

            if (principal.Type == PrincipalType.IamUser && AuditEvent.TryGetUsername(principal, out var userName))
            {
                json.WriteString("userName"u8, userName);
            }

            if (e.InvokedBy is not null)
            {
                json.WriteString("invokedBy"u8, e.InvokedBy);
            }

            if (principal.Session is { } session)
            {
                WriteSessionContext(json, principal, session);
            }
        }
        else if (e.Unauthenticated)
        {
            // Someone the server could not authenticate: who they claimed to be, nothing more (CloudTrail's type Unknown).
            json.WriteString("type"u8, "Unknown"u8);
            json.WriteString("accountId"u8, e.AccountId);
            if (e.AccessKeyId is not null)
            {
                json.WriteString("accessKeyId"u8, e.AccessKeyId);
            }
        }
        else
        {
            // Background actions of the service itself, as CloudTrail records KMS's own events.
            json.WriteString("accountId"u8, e.AccountId);
            json.WriteString("invokedBy"u8, e.InvokedBy ?? "kms.amazonaws.com");
        }

        json.WriteEndObject();
    }

    /// <summary>A role session's sessionContext: the role that issued it and when (CloudTrail User Guide, "userIdentity element").</summary>
    private static void WriteSessionContext(Utf8JsonWriter json, Principal principal, SessionContext session)
    {
        json.WriteStartObject("sessionContext"u8);
        json.WriteStartObject("sessionIssuer"u8);
        json.WriteString("type"u8, "Role"u8);
        json.WriteString("principalId"u8, session.RoleId);
        json.WriteString("arn"u8, session.RoleArn);
        json.WriteString("accountId"u8, principal.AccountId);
        json.WriteString("userName"u8, session.RoleNameSpan());
        json.WriteEndObject();
        json.WriteStartObject("attributes"u8);
        Span<byte> text = stackalloc byte[32];
        json.WriteString("creationDate"u8, text[..FormatTime(session.IssuedAt, text)]);
        json.WriteString("mfaAuthenticated"u8, "false"u8);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// CloudTrail's time, yyyy-MM-ddTHH:mm:ssZ in UTC, into <paramref name="utf8"/>: the sortable format ("s", no
    /// format string to parse, unlike the same pattern spelled out) and a Z. Returns the bytes written.
    /// </summary>
    internal static int FormatTime(DateTimeOffset time, Span<byte> utf8)
    {
        time.UtcDateTime.TryFormat(utf8, out var written, "s", CultureInfo.InvariantCulture);
        utf8[written] = (byte)'Z';
        return written + 1;
    }

    private static void WriteRaw(Utf8JsonWriter json, ReadOnlySpan<byte> name, string raw)
    {
        json.WritePropertyName(name);
        json.WriteRawValue(raw, skipInputValidation: true);
    }
}
