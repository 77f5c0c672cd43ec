using Citadel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Citadel.Server.Audit.Streaming;

/// <summary>Checks <see cref="AuditStreamOptions"/> at start, when the stream is on, reporting every value out of range at once.</summary>
internal sealed class AuditStreamOptionsValidator : IValidateOptions<AuditStreamOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditStreamOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            failures.Add($"AuditStream:Directory must name the directory the CloudTrail-format files are written to (set it with {OptionChecks.EnvironmentPrefix}AuditStream__Directory).");
        }

        OptionChecks.InRange(failures, "AuditStream:MaxEvents", options.MaxEvents, 1, AuditStreamOptions.MaxEventsLimit);
        OptionChecks.InRange(failures, "AuditStream:MaxAge", options.MaxAge, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1));

        // Each poll is one indexed query per chain: more often than 10 ms is a busy loop; less often than a minute delays every file.
        OptionChecks.InRange(failures, "AuditStream:PollInterval", options.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));

        // The first retry waits 1 second, so a shorter longest wait means nothing.
        OptionChecks.InRange(failures, "AuditStream:MaxRetryDelay", options.MaxRetryDelay, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        return OptionChecks.Result(failures);
    }
}
