namespace Citadel.Storage.Sqlite;

/// <summary>
/// What one batch of a chain adds besides its events (and <c>audit_legacy_event_ids</c>' rows, seldom any). The rows of <c>audit_resource_seconds</c>: for each second and resource of its events, the
/// first and last sequence number of that resource's events in that second. They replace the index by (second,
/// resource) an event each, which cost the indexer more than a quarter of its CPU per event (with 10 keys, an entry of
/// some 90 bytes in the middle of its second, splitting pages half full): with few resources a batch of hundreds of
/// events adds a row per resource, with many about a row per event, as the index did. A lookup reads the events in
/// each range by the primary key and keeps those of the resource and second. Reused by the store's serialized writes.
/// </summary>
internal sealed class AuditLookupRows
{
    private readonly Dictionary<Key, int> _byKey = new(KeyComparer.Instance);

    /// <summary>The batch's ranges, in the order their first event came.</summary>
    public List<Range> Ranges { get; } = [];

    /// <summary>The batch's events whose id a lookup cannot find by its time (not version 7): they go to <c>audit_legacy_event_ids</c>.</summary>
    public List<(ReadOnlyMemory<byte> EventId, long Sequence)> LegacyEventIds { get; } = [];

    public void Clear()
    {
        _byKey.Clear();
        Ranges.Clear();
        LegacyEventIds.Clear();
    }

    public void AddLegacyEventId(ReadOnlyMemory<byte> eventId, long sequence) => LegacyEventIds.Add((eventId, sequence));

    /// <summary>
    /// Counts the event <paramref name="sequence"/> of <paramref name="resource"/> at <paramref name="timeMs"/> (sequences come
    /// in ascending order). The second is <c>event_time / 1000</c> as SQL reckons it, which truncates toward zero as C# does.
    /// </summary>
    public void Add(long timeMs, ReadOnlyMemory<byte> resource, long sequence)
    {
        var key = new Key(timeMs / 1000, resource);
        if (_byKey.TryGetValue(key, out var at))
        {
            Ranges[at] = Ranges[at] with { Last = sequence };
        }
        else
        {
            _byKey.Add(key, Ranges.Count);
            Ranges.Add(new Range(key.Second, resource, sequence, sequence));
        }
    }

    /// <summary>One row: the events of <see cref="Resource"/> (UTF-8) in <see cref="Second"/> are among sequences First..Last.</summary>
    public readonly record struct Range(long Second, ReadOnlyMemory<byte> Resource, long First, long Last);

    private readonly record struct Key(long Second, ReadOnlyMemory<byte> Resource);

    private sealed class KeyComparer : IEqualityComparer<Key>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(Key x, Key y) => x.Second == y.Second && x.Resource.Span.SequenceEqual(y.Resource.Span);

        public int GetHashCode(Key key)
        {
            var hash = new HashCode();
            hash.Add(key.Second);
            hash.AddBytes(key.Resource.Span);
            return hash.ToHashCode();
        }
    }
}
