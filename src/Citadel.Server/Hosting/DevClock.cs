using System.Globalization;

namespace Citadel.Server.Hosting;

/// <summary>
/// The clock of key rules on a development server: the system clock plus an offset that tests can
/// advance, so a 30-day deletion window or a yearly rotation can be tested in seconds. The offset
/// is kept in the data directory, so time never runs backwards across a restart.
/// </summary>
internal sealed class DevClock : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly string? _file;
    private readonly Lock _gate = new();
    private long _offsetTicks;

    public DevClock(TimeProvider inner, string? file = null)
    {
        _inner = inner;
        _file = file;
        if (file is not null && File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
        {
            _offsetTicks = ticks;
        }
    }

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + Offset;

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "The development clock only moves forward.");
        }

        lock (_gate)
        {
            Interlocked.Add(ref _offsetTicks, by.Ticks);
            Persist();
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _offsetTicks, 0);
            Persist();
        }
    }

    private void Persist()
    {
        if (_file is not null)
        {
            OwnerOnly.WriteAllText(_file, Interlocked.Read(ref _offsetTicks).ToString(CultureInfo.InvariantCulture));
        }
    }
}
