using Citadel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Citadel.Server.Audit;

/// <summary>Checks <see cref="AuditOptions"/> at start, reporting every value out of range at once.</summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        var failures = new List<string>();

        // A day at least, so that a typo cannot empty the trail at the next hourly pass; at most a century.
        OptionChecks.InRange(failures, "Audit:Retention", options.Retention, TimeSpan.FromDays(1), TimeSpan.FromDays(36_500));

        // A batch is one journal write and one sync; beyond 64 Ki events the frame buffers grow for nothing.
        OptionChecks.InRange(failures, "Audit:MaxBatch", options.MaxBatch, 1, 65_536);
        // A journal file and a syncer thread each; beyond 16 the syncs only queue in the device.
        OptionChecks.InRange(failures, "Audit:JournalStripes", options.JournalStripes, 1, 16);
        // A second at least (a walk reads the whole trail); at most a week, so a broken chain is seen within one.
        OptionChecks.InRange(failures, "Audit:VerifyInterval", options.VerifyInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        // The same range: a change to an old record is found within a week at most.
        OptionChecks.InRange(failures, "Audit:FullVerifyInterval", options.FullVerifyInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        // Internal (Audit:SyncPaceMicroseconds, for measurements): 0 turns the pacing off; a request may wait up to
        // the pace for its sync, so more than 100 ms would be an outage, not a measurement.
        OptionChecks.InRange(failures, "Audit:SyncPaceMicroseconds", (int)options.SyncPace.TotalMicroseconds, 0, 100_000);
        if (string.IsNullOrWhiteSpace(options.ChainId))
        {
            failures.Add("Audit:ChainId must not be empty (set it with CITADEL_Audit__ChainId, or audit.chainId in the configuration file).");
        }

        return OptionChecks.Result(failures);
    }
}
