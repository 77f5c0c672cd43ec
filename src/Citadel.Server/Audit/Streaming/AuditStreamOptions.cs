namespace Citadel.Server.Audit.Streaming;

/// <summary>
/// The continuous audit stream (<c>audit.stream</c> in the configuration file, <c>--audit-stream</c> in
/// development): the trail's events written to a directory in CloudTrail's S3 layout as they happen.
/// </summary>
public sealed class AuditStreamOptions
{
    /// <summary>The most events one file may be set to hold.</summary>
    internal const int MaxEventsLimit = 100_000;

    /// <summary>The directory the files go to (created if missing). Required: the stream is off without it.</summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// Most events in one file; a file is written as soon as it has them. Defaults to 1,000: a few hundred
    /// kilobytes gzipped, small enough for any log shipper.
    /// </summary>
    public int MaxEvents { get; set; } = 1000;

    /// <summary>
    /// Longest an event waits for its file: a file is written when its first event is this old, however
    /// few it holds. Defaults to 5 minutes, about how often CloudTrail delivers its files.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the trail is read for new events. Defaults to 1 second: one indexed query per chain.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts while the directory cannot be written. Defaults to 1 minute (the first retry waits 1 second, then twice as long each time).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    internal void CopyFrom(AuditStreamOptions other)
    {
        Directory = other.Directory;
        MaxEvents = other.MaxEvents;
        MaxAge = other.MaxAge;
        PollInterval = other.PollInterval;
        MaxRetryDelay = other.MaxRetryDelay;
    }

    /// <summary>The problems with these settings, each in one line (empty if none).</summary>
    public IEnumerable<string> Problems(string where)
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            yield return $"{where}.directory is required: the directory the CloudTrail-format files are written to";
        }

        if (MaxEvents is < 1 or > MaxEventsLimit)
        {
            yield return $"{where}.maxEvents must be between 1 and {MaxEventsLimit}, but was {MaxEvents}";
        }

        if (MaxAge <= TimeSpan.Zero)
        {
            yield return $"{where}.maxAge must be a positive duration such as 5m or 30s";
        }
    }
}
