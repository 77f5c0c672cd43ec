using Citadel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Citadel.Server.Kms;

/// <summary>Checks <see cref="KmsOptions"/> at start, reporting every value out of range at once.</summary>
internal sealed class KmsOptionsValidator : IValidateOptions<KmsOptions>
{
    public ValidateOptionsResult Validate(string? name, KmsOptions options)
    {
        var failures = new List<string>();
        OptionChecks.InRange(failures, "Kms:MaterialCacheSize", options.MaterialCacheSize, 1, 100_000_000);
        OptionChecks.InRange(failures, "Kms:KeyCacheSize", options.KeyCacheSize, 1, 100_000_000);

        // The largest KMS request (a 32 KiB policy, 4 KiB plaintext, 50 tags) must fit.
        OptionChecks.InRange(failures, "Kms:MaxRequestBodyBytes", options.MaxRequestBodyBytes, 64 * 1024, 64 * 1024 * 1024);
        OptionChecks.InRange(failures, "Kms:JobInterval", options.JobInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));

        // AWS's range for a rotation period (EnableKeyRotation RotationPeriodInDays).
        OptionChecks.InRange(failures, "Kms:AwsManagedKeyRotationDays", options.AwsManagedKeyRotationDays, 90, 2560);

        // AWS's limit is 50 (TagResource); fewer is allowed, more would accept what AWS refuses.
        OptionChecks.InRange(failures, "Kms:MaxTagsPerKey", options.MaxTagsPerKey, 0, 50);
        return OptionChecks.Result(failures);
    }
}
