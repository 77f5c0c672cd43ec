using Citadel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Citadel.Server.SigV4;

/// <summary>Checks <see cref="SigV4Options"/> at start.</summary>
internal sealed class SigV4OptionsValidator : IValidateOptions<SigV4Options>
{
    public ValidateOptionsResult Validate(string? name, SigV4Options options)
    {
        var failures = new List<string>();

        // Beyond an hour a captured request stays replayable for too long; below a second, clocks never agree.
        OptionChecks.InRange(failures, "SigV4:ClockSkew", options.ClockSkew, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        return OptionChecks.Result(failures);
    }
}
