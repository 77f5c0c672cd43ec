using System.Globalization;
using System.Text.Json;

namespace Citadel.Core.Audit;

/// <summary>
/// What a CloudTrail record says about the columns an event is looked up by, read in one pass over
/// its UTF-8 JSON: the stored columns are derived from the record when it is written, so verification
/// compares each column with this and anything LookupEvents filters on or returns is covered by the hash.
/// </summary>
public sealed class AuditRecordFields
{
    private PropertyReader? _identityProperty;
    private PropertyReader? _additionalProperty;

    public string? EventId { get; private set; }

    public string? EventTime { get; private set; }

    public string? EventSource { get; private set; }

    public string? EventName { get; private set; }

    public string? EventType { get; private set; }

    public string? RecipientAccountId { get; private set; }

    public bool? ReadOnly { get; private set; }

    public string? ResourceArn { get; private set; }

    public string? IdentityType { get; private set; }

    public string? IdentityArn { get; private set; }

    public string? AccessKeyId { get; private set; }

    /// <summary>For an <see cref="AuditGap"/> record: the sequence numbers lost and the hash the next record links to.</summary>
    public long? LostFirstSequence { get; private set; }

    public long? LostLastSequence { get; private set; }

    public string? NextPreviousHash { get; private set; }

    public string? GapReason { get; private set; }

    /// <summary>
    /// The Username lookup attribute as the writer derives it: "root" for the account root, the last part
    /// of a user's or role's ARN, none for the service's own events and for integrated services (their
    /// "ARN" is a service name, with no slash).
    /// </summary>
    public string? Username => IdentityType switch
    {
        "Root" => "root",
        "IAMUser" or "AssumedRole" when IdentityArn is { } arn && arn.LastIndexOf('/') is var slash and >= 0 => arn[(slash + 1)..],
        _ => null,
    };

    /// <summary>Reads <paramref name="utf8"/>; false when it is not a JSON object (the record is then reported as such).</summary>
    public bool TryRead(ReadOnlySpan<byte> utf8)
    {
        Clear();
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("userIdentity"u8))
                {
                    ReadIdentity(ref reader);
                }
                else if (reader.ValueTextEquals("resources"u8))
                {
                    ReadResources(ref reader);
                }
                else if (reader.ValueTextEquals("additionalEventData"u8))
                {
                    ReadAdditional(ref reader);
                }
                else if (reader.ValueTextEquals("eventID"u8))
                {
                    EventId = String(ref reader);
                }
                else if (reader.ValueTextEquals("eventTime"u8))
                {
                    EventTime = String(ref reader);
                }
                else if (reader.ValueTextEquals("eventSource"u8))
                {
                    EventSource = String(ref reader);
                }
                else if (reader.ValueTextEquals("eventName"u8))
                {
                    EventName = String(ref reader);
                }
                else if (reader.ValueTextEquals("eventType"u8))
                {
                    EventType = String(ref reader);
                }
                else if (reader.ValueTextEquals("recipientAccountId"u8))
                {
                    RecipientAccountId = String(ref reader);
                }
                else if (reader.ValueTextEquals("readOnly"u8))
                {
                    reader.Read();
                    ReadOnly = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => null,
                    };
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return reader.TokenType == JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The record's eventTime (whole seconds, as CloudTrail writes it), or null.</summary>
    public long? EventTimeSeconds =>
        DateTimeOffset.TryParseExact(EventTime, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToUnixTimeSeconds()
            : null;

    /// <summary>The millisecond timestamp of a version-7 eventID (the writer makes it from the event time), or null for another kind of id.</summary>
    public long? EventIdMilliseconds => AuditEventIds.TimeMs(EventId);

    private void Clear()
    {
        EventId = EventTime = EventSource = EventName = EventType = RecipientAccountId = ResourceArn = IdentityType = IdentityArn = AccessKeyId = NextPreviousHash = GapReason = null;
        ReadOnly = null;
        LostFirstSequence = LostLastSequence = null;
    }

    private static string? String(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static long? Number(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        reader.Skip();
        return null;
    }

    /// <summary>Reads a property's value; false to have it skipped.</summary>
    private delegate bool PropertyReader(ref Utf8JsonReader reader);

    /// <summary>Reads the object value that follows; a property <paramref name="read"/> does not take is skipped, as is a value that is no object.</summary>
    private static void ReadObject(ref Utf8JsonReader reader, PropertyReader read)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!read(ref reader))
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadIdentity(ref Utf8JsonReader reader) => ReadObject(ref reader, _identityProperty ??= IdentityProperty);

    private void ReadAdditional(ref Utf8JsonReader reader) => ReadObject(ref reader, _additionalProperty ??= AdditionalProperty);

    private bool IdentityProperty(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("type"u8))
        {
            IdentityType = String(ref r);
        }
        else if (r.ValueTextEquals("arn"u8))
        {
            IdentityArn = String(ref r);
        }
        else if (r.ValueTextEquals("accessKeyId"u8))
        {
            AccessKeyId = String(ref r);
        }
        else
        {
            return false;
        }

        return true;
    }

    private void ReadResources(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        // The first resource is the one the writer stores (a KMS event names one key).
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (ResourceArn is null && reader.ValueTextEquals("ARN"u8))
                {
                    ResourceArn = String(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    private bool AdditionalProperty(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals(AuditGap.LostFirstSequenceName))
        {
            LostFirstSequence = Number(ref r);
        }
        else if (r.ValueTextEquals(AuditGap.LostLastSequenceName))
        {
            LostLastSequence = Number(ref r);
        }
        else if (r.ValueTextEquals(AuditGap.NextPreviousHashName))
        {
            NextPreviousHash = String(ref r);
        }
        else if (r.ValueTextEquals(AuditGap.ReasonName))
        {
            GapReason = String(ref r);
        }
        else
        {
            return false;
        }

        return true;
    }
}
