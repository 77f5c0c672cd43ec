namespace Citadel.Server.Hosting;

/// <summary>
/// The clock of key rules on a development server: the system clock plus an offset that tests can
/// advance, so a 30-day deletion window or a yearly rotation can be tested in seconds.
/// </summary>
internal sealed class DevClock(TimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "The development clock only moves forward.");
        }

        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    public void Reset() => Interlocked.Exchange(ref _offsetTicks, 0);
}
