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
/// per resource and hour (written once: this class remembers the pairs of the latest hour and the
/// next, which a resource in use writes ahead of time);</item>
/// <item>by second and resource: on PostgreSQL the index <c>audit_by_second_resource (event_time / 1000,
/// resource_name)</c>, which grows at its end, like time does; on SQLite <c>audit_resource_seconds</c>, a row per
/// second, resource and batch with the range of sequence numbers its events are in.</item>
/// </list>
/// A lookup walks the resource's hours newest first and, in each, its seconds newest first, one
/// seek per second (<see cref="LookupAsync"/>).
/// </summary>
internal sealed class AuditByResource
{
    public const long MsPerHour = 3_600_000;

    private const long SecondsPerHour = 3_600;

    private readonly Lock _lock = new();

    /// <summary>The resources written for <see cref="_latestHour"/>, and for the hour after it.</summary>
    private HashSet<string> _written = new(StringComparer.Ordinal);
    private HashSet<string> _writtenNext = new(StringComparer.Ordinal);
    private long _latestHour = long.MinValue / 2;

    /// <summary>The (resource, hour) pairs of <paramref name="records"/> that this store has not written yet.</summary>
    public List<(string Resource, long Hour)> Unwritten(IReadOnlyList<AuditRecord> records)
    {
        var pairs = new Batch();
        lock (_lock)
        {
            foreach (var record in records)
            {
                if (record.ResourceName is { } name)
                {
                    Consider(name, record.EventTime.ToUnixTimeMilliseconds(), pairs);
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
        lock (_lock)
        {
            foreach (var record in records)
            {
                if (record.ResourceName is { } utf8)
                {
                    if (Encoding.UTF8.TryGetChars(utf8.Span, chars, out var length))
                    {
                        Consider(chars[..length], record.EventTimeMs, pairs);
                    }
                    else
                    {
                        Consider(Encoding.UTF8.GetString(utf8.Span), record.EventTimeMs, pairs);
                    }
                }
            }
        }

        return pairs.Pairs;
    }

    /// <summary>
    /// The hour of an event at <paramref name="timeMs"/> needs its row; so does the next hour, once
    /// the event is past the resource's own moment of the hour (<see cref="Spread"/>). Otherwise every
    /// resource in use would write its row in the first seconds of each hour — with 100,000 keys that
    /// cost a tenth of the throughput for those seconds — where now they are spread over the hour
    /// before. A resource not used in the next hour after all costs a lookup an hour of empty seeks.
    /// </summary>
    private void Consider(ReadOnlySpan<char> name, long timeMs, Batch batch)
    {
        var hour = timeMs / MsPerHour;
        Need(name, hour, batch);
        if (timeMs % MsPerHour >= Spread(name))
        {
            Need(name, hour + 1, batch);
        }
    }

    private void Need(ReadOnlySpan<char> name, long hour, Batch batch)
    {
        var written = hour == _latestHour ? _written : hour == _latestHour + 1 ? _writtenNext : null;
        if (written is not null && written.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
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

    /// <summary>A resource's moment of the hour, in milliseconds from its start (1 to 3,599,999; stable within the process).</summary>
    internal static long Spread(ReadOnlySpan<char> name) => 1 + ((uint)string.GetHashCode(name) % (MsPerHour - 1));

    /// <summary>
    /// Remembers pairs once their transaction has committed (a rolled-back batch's pairs are written
    /// again with the next one). Only the latest hour's and the next one's are kept: a late event of an
    /// earlier hour writes its row again, which the store ignores as a duplicate.
    /// </summary>
    public void Committed(List<(string Resource, long Hour)> pairs)
    {
        lock (_lock)
        {
            foreach (var (resource, hour) in pairs)
            {
                if (hour == _latestHour + 2)
                {
                    (_written, _writtenNext) = (_writtenNext, _written);
                    _writtenNext.Clear();
                    _latestHour++;
                }
                else if (hour > _latestHour + 2)
                {
                    _written.Clear();
                    _writtenNext.Clear();
                    _latestHour = hour - 1;
                }

                if (hour == _latestHour)
                {
                    _written.Add(resource);
                }
                else if (hour == _latestHour + 1)
                {
                    _writtenNext.Add(resource);
                }
            }
        }
    }

    /// <summary>
    /// Forgets every pair remembered as written: the store lost commits that wrote some of them (a
    /// PostgreSQL crash can lose the trail's last derived commits), and the events derived again must
    /// write their rows again.
    /// </summary>
    public void Forget()
    {
        lock (_lock)
        {
            _written.Clear();
            _writtenNext.Clear();
        }
    }

    /// <summary>The pairs of one batch, and by hour the names among them.</summary>
    private sealed class Batch
    {
        public List<(string Resource, long Hour)> Pairs { get; } = [];

        public Dictionary<long, HashSet<string>> ByHour { get; } = [];
    }

    /// <summary>
    /// The query's time range in milliseconds (the cursor moves its end), or null if it is empty.
    /// It ends at most a few minutes from now (another node's clock may be a little ahead): a
    /// resource's row for the next hour is often written ahead, and its seconds hold nothing yet.
    /// </summary>
    public static (long From, long To)? Range(AuditQuery query, DateTimeOffset now)
    {
        var from = query.StartTime is { } start ? Math.Max(0, start.ToUnixTimeMilliseconds()) : 0;
        var soon = now.AddMinutes(5).ToUnixTimeMilliseconds();
        var to = Math.Min(query.EndTime is { } end ? end.ToUnixTimeMilliseconds() : soon, soon);
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
