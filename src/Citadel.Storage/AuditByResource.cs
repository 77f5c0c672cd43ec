using System.Text;
using Citadel.Core.Audit;

namespace Citadel.Storage;

/// <summary>
/// How the stores find a resource's audit events without an index by (resource, time), which takes
/// each event to a page of its own resource: with many keys, a different page per event, and the
/// audit index then wrote several times more than the events themselves (measured with 100,000 keys).
/// Instead a store keeps two things that are written in time order:
/// <list type="bullet">
/// <item><c>audit_resource_hours (resource_name, hour)</c>: the hours a resource was used in, one row
/// per resource and hour (written once: this class remembers the pairs of the latest hour);</item>
/// <item><c>audit_by_second_resource (event_time / 1000, resource_name)</c>: an index that grows at its
/// end, like time does.</item>
/// </list>
/// A lookup walks the resource's hours newest first and, in each, its seconds newest first, one
/// seek per second (<see cref="LookupAsync"/>).
/// </summary>
internal sealed class AuditByResource
{
    public const long MsPerHour = 3_600_000;

    private const long SecondsPerHour = 3_600;

    /// <summary>The resources written for <see cref="_latestHour"/>.</summary>
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private long _latestHour = long.MinValue;

    /// <summary>The (resource, hour) pairs of <paramref name="records"/> that this store has not written yet.</summary>
    public List<(string Resource, long Hour)> Unwritten(IReadOnlyList<AuditRecord> records)
    {
        var pairs = new Batch();
        lock (_written)
        {
            foreach (var record in records)
            {
                if (record.ResourceName is { } name)
                {
                    Consider(name, record.EventTime.ToUnixTimeMilliseconds() / MsPerHour, pairs);
                }
            }
        }

        return pairs.Pairs;
    }

    /// <summary>As for <see cref="AuditRecord"/>s; a string is made only for a pair not written yet.</summary>
    public List<(string Resource, long Hour)> Unwritten(IReadOnlyList<AuditRecordUtf8> records)
    {
        var pairs = new Batch();
        Span<char> chars = stackalloc char[512];
        lock (_written)
        {
            foreach (var record in records)
            {
                if (record.ResourceName is { } utf8)
                {
                    var hour = record.EventTimeMs / MsPerHour;
                    if (Encoding.UTF8.TryGetChars(utf8.Span, chars, out var length))
                    {
                        Consider(chars[..length], hour, pairs);
                    }
                    else
                    {
                        Consider(Encoding.UTF8.GetString(utf8.Span), hour, pairs);
                    }
                }
            }
        }

        return pairs.Pairs;
    }

    private void Consider(ReadOnlySpan<char> name, long hour, Batch batch)
    {
        if (hour == _latestHour && _written.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
        {
            return;
        }

        if (!batch.ByHour.TryGetValue(hour, out var names))
        {
            batch.ByHour[hour] = names = new HashSet<string>(StringComparer.Ordinal);
        }

        if (!names.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
        {
            var resource = name.ToString();
            names.Add(resource);
            batch.Pairs.Add((resource, hour));
        }
    }

    /// <summary>
    /// Remembers pairs once their transaction has committed (a rolled-back batch's pairs are written
    /// again with the next one). Only the latest hour's are kept: a late event of an earlier hour
    /// writes its row again, which the store ignores as a duplicate.
    /// </summary>
    public void Committed(List<(string Resource, long Hour)> pairs)
    {
        lock (_written)
        {
            foreach (var (resource, hour) in pairs)
            {
                if (hour > _latestHour)
                {
                    _written.Clear();
                    _latestHour = hour;
                }

                if (hour == _latestHour)
                {
                    _written.Add(resource);
                }
            }
        }
    }

    /// <summary>The pairs of one batch, and by hour the names among them.</summary>
    private sealed class Batch
    {
        public List<(string Resource, long Hour)> Pairs { get; } = [];

        public Dictionary<long, HashSet<string>> ByHour { get; } = [];
    }

    /// <summary>The query's time range in milliseconds (the cursor moves its end), or null if it is empty.</summary>
    public static (long From, long To)? Range(AuditQuery query)
    {
        var from = query.StartTime is { } start ? Math.Max(0, start.ToUnixTimeMilliseconds()) : 0;
        var to = query.EndTime is { } end ? end.ToUnixTimeMilliseconds() : long.MaxValue / 2;
        if (query.After is { } after)
        {
            to = Math.Min(to, after.TimeMs);
        }

        return to < from ? null : (from, to);
    }

    /// <summary>
    /// Up to <paramref name="wanted"/> events, newest first: for each hour (newest first) its seconds
    /// in [from, to] from the newest, <paramref name="secondsPerProbe"/> at a time.
    /// <paramref name="probe"/>(first, last, n) returns up to n events of seconds first..last, newest first.
    /// </summary>
    public static async Task<List<AuditRecord>> LookupAsync(
        IReadOnlyList<long> hoursNewestFirst, long from, long to, int wanted, int secondsPerProbe,
        Func<long, long, int, Task<IReadOnlyList<AuditRecord>>> probe)
    {
        var found = new List<AuditRecord>();
        foreach (var hour in hoursNewestFirst)
        {
            var first = Math.Max(hour * SecondsPerHour, from / 1000);
            for (var last = Math.Min((hour * SecondsPerHour) + SecondsPerHour - 1, to / 1000); last >= first && found.Count < wanted; last -= secondsPerProbe)
            {
                found.AddRange(await probe(Math.Max(first, last - secondsPerProbe + 1), last, wanted - found.Count));
            }

            if (found.Count >= wanted)
            {
                break;
            }
        }

        return found;
    }

    /// <summary>One page of <paramref name="limit"/> records and, if one more was read, where the next page starts.</summary>
    public static (IReadOnlyList<AuditRecord> Records, AuditCursor? Next) Page(List<AuditRecord> list, int limit)
    {
        if (list.Count <= limit)
        {
            return (list, null);
        }

        list.RemoveRange(limit, list.Count - limit);
        var last = list[^1];
        return (list, new AuditCursor(last.EventTime.ToUnixTimeMilliseconds(), last.ChainId, last.Sequence));
    }
}
