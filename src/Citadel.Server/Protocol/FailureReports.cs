namespace Citadel.Server.Protocol;

/// <summary>
/// Which failures of one kind are logged in full: the first of each interval, which also says how
/// many were held back since the previous one. A store or disk outage fails every request the same
/// way, and a stack trace per request would bury the log (and let any client flood it).
/// </summary>
internal sealed class FailureReports(TimeProvider time, TimeSpan interval)
{
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    private long _nextReportAt = long.MinValue;
    private long _heldBack;

    /// <summary>
    /// True for the first failure of an interval, with <paramref name="heldBack"/> the failures not
    /// reported since the last report; false (and counted) for the others.
    /// </summary>
    public bool ShouldReport(out long heldBack)
    {
        var now = time.GetTimestamp();
        var next = Volatile.Read(ref _nextReportAt);
        if (now >= next && Interlocked.CompareExchange(ref _nextReportAt, now + _intervalTicks, next) == next)
        {
            heldBack = Interlocked.Exchange(ref _heldBack, 0);
            return true;
        }

        Interlocked.Increment(ref _heldBack);
        heldBack = 0;
        return false;
    }

    /// <summary>The failures are over: the next one is reported at once.</summary>
    public void Reset()
    {
        Volatile.Write(ref _nextReportAt, long.MinValue);
        Interlocked.Exchange(ref _heldBack, 0);
    }
}
