using Citadel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Citadel.Server.Observability;

/// <summary>Checks <see cref="ObservabilityOptions"/> at start, reporting every value out of range at once.</summary>
internal sealed class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservabilityOptions options)
    {
        var failures = new List<string>();

        // Each refresh is one grouped query; under a second it would be a query per scrape for nothing, beyond an hour the gauge says little.
        OptionChecks.InRange(failures, "Observability:KeyCountInterval", options.KeyCountInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        if (!Enum.IsDefined(options.LogFormat))
        {
            failures.Add($"Observability:LogFormat must be Text or Json, but was {(int)options.LogFormat} (set it with {OptionChecks.EnvironmentPrefix}Observability__LogFormat).");
        }

        return OptionChecks.Result(failures);
    }
}
