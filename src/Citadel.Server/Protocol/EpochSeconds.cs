namespace Citadel.Server.Protocol;

/// <summary>Timestamps of the AWS JSON protocol: seconds since the Unix epoch, with a fraction.</summary>
internal static class EpochSeconds
{
    private static readonly double MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly double MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// The time to the millisecond, or null when <paramref name="seconds"/> is; false for a time a
    /// <see cref="DateTimeOffset"/> cannot hold (before year 1, after 9999), which JSON can carry.
    /// </summary>
    public static bool TryToTime(double? seconds, out DateTimeOffset? time)
    {
        time = null;
        if (seconds is not { } value)
        {
            return true;
        }

        var milliseconds = Math.Round(value * 1000);
        if (!(milliseconds >= MinMilliseconds && milliseconds <= MaxMilliseconds))
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
        return true;
    }
}
