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
