using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Citadel.Core.Audit;

/// <summary>
/// The record that stands in a chain for events a damaged audit journal lost (written by
/// `citadel audit journal resolve`): an AwsServiceEvent named AuditGap that takes the first lost
/// sequence number and says, in additionalEventData, which numbers were lost, why, and the hash the
/// next surviving record links to. It is chained and hashed like any record, so verification reports
/// the gap as recorded (and where it came from) instead of as records removed.
/// </summary>
public static class AuditGap
{
    public const string EventName = "AuditGap";

    public const string EventSource = "kms.amazonaws.com";

    public const string EventType = "AwsServiceEvent";

    internal static ReadOnlySpan<byte> LostFirstSequenceName => "lostFirstSequence"u8;

    internal static ReadOnlySpan<byte> LostLastSequenceName => "lostLastSequence"u8;

    internal static ReadOnlySpan<byte> NextPreviousHashName => "nextPreviousHash"u8;

    internal static ReadOnlySpan<byte> ReasonName => "reason"u8;

    /// <summary>
    /// Whether <paramref name="record"/> is a gap record, and then the last sequence number it stands for
    /// and the hash the record after it links to: a chain whose head is a gap goes on from there.
    /// </summary>
    public static bool TryRead(AuditRecord record, out long lostLast, out string nextPreviousHash)
    {
        (lostLast, nextPreviousHash) = (0, "");
        if (record.EventName != EventName || record.EventSource != EventSource)
        {
            return false;
        }

        using var json = JsonDocument.Parse(record.Record);
        if (!json.RootElement.TryGetProperty("additionalEventData"u8, out var data)
            || !data.TryGetProperty(LostFirstSequenceName, out var first) || !first.TryGetInt64(out var lostFirst) || lostFirst != record.Sequence
            || !data.TryGetProperty(LostLastSequenceName, out var last) || !last.TryGetInt64(out lostLast) || lostLast < record.Sequence
            || !data.TryGetProperty(NextPreviousHashName, out var next) || next.GetString() is not { } hash)
        {
            return false;
        }

        nextPreviousHash = hash;
        return true;
    }

    /// <summary>
    /// The gap's record, chained after <paramref name="previousHash"/> at sequence <paramref name="lostFirst"/>.
    /// <paramref name="accountId"/> and <paramref name="region"/> are those of a neighbouring record (the lost
    /// events may have been any account's; the operator finds the gap with `citadel audit verify`).
    /// </summary>
    public static AuditRecord Record(
        string chainId, long lostFirst, long lostLast, string previousHash, string nextPreviousHash, string reason, string accountId, string region, DateTimeOffset now)
    {
        var eventId = Guid.CreateVersion7(now);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("eventVersion"u8, "1.11"u8);
            json.WriteStartObject("userIdentity"u8);
            json.WriteString("accountId"u8, accountId);
            json.WriteString("invokedBy"u8, "kms.amazonaws.com"u8);
            json.WriteEndObject();
            json.WriteString("eventTime"u8, now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteString("eventSource"u8, EventSource);
            json.WriteString("eventName"u8, EventName);
            json.WriteString("awsRegion"u8, region);
            json.WriteString("sourceIPAddress"u8, "kms.amazonaws.com"u8);
            json.WriteString("userAgent"u8, "kms.amazonaws.com"u8);
            json.WriteStartObject("additionalEventData"u8);
            json.WriteNumber(LostFirstSequenceName, lostFirst);
            json.WriteNumber(LostLastSequenceName, lostLast);
            json.WriteString(NextPreviousHashName, nextPreviousHash);
            json.WriteString(ReasonName, reason);
            json.WriteEndObject();
            json.WriteString("eventID"u8, eventId);
            json.WriteBoolean("readOnly"u8, false);
            json.WriteString("eventType"u8, EventType);
            json.WriteBoolean("managementEvent"u8, true);
            json.WriteString("recipientAccountId"u8, accountId);
            json.WriteString("eventCategory"u8, "Management"u8);
            json.WriteEndObject();
        }

        var record = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return new AuditRecord(
            chainId, lostFirst, eventId.ToString("D"), DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), accountId, EventName, EventSource,
            null, null, null, false, record, previousHash, AuditChain.Hash(previousHash, record));
    }
}
