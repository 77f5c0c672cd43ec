namespace Citadel.Core.Audit;

/// <summary>Audit event ids: version-7 UUIDs made from the event time (since the event-id index was written in time order), random ones before.</summary>
public static class AuditEventIds
{
    /// <summary>The millisecond timestamp of a version-7 event id (the event's time, which the verifier checks), or null for another kind of id.</summary>
    public static long? TimeMs(string? eventId) => Guid.TryParseExact(eventId, "D", out var id) ? TimeMs(id) : null;

    /// <summary>As <see cref="TimeMs(string?)"/>, for the id as UTF-8 (no string made).</summary>
    public static long? TimeMs(ReadOnlySpan<byte> eventId) => eventId.Length == 36 && Guid.TryParse(eventId, out var id) ? TimeMs(id) : null;

    private static long? TimeMs(Guid id)
    {
        if (id.Version != 7)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return ((long)bytes[0] << 40) | ((long)bytes[1] << 32) | ((long)bytes[2] << 24) | ((long)bytes[3] << 16) | ((long)bytes[4] << 8) | bytes[5];
    }
}
