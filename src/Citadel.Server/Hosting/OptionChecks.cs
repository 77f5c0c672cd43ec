using System.Globalization;
using Microsoft.Extensions.Options;

namespace Citadel.Server.Hosting;

/// <summary>
/// The checks and wording shared by the options validators: each failure names the setting, its
/// range, the value given, and where to set it, so the operator can fix it from the one line.
/// </summary>
internal static class OptionChecks
{
    /// <summary>The prefix of the environment variables that set options: CITADEL_Kms__JobInterval sets Kms:JobInterval.</summary>
    public const string EnvironmentPrefix = "CITADEL_";

    public static void InRange(List<string> failures, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key} must be between {min} and {max}, but was {value}{WhereToSet(key)}."));
        }
    }

    public static void InRange(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{key} must be between {min:c} and {max:c}, but was {value:c}{WhereToSet(key)}."));
        }
    }

    /// <summary>
    /// A setting read by hand (not bound to an options class), parsed, or the start stopped naming its key, as the
    /// binder stops it for a bound setting whose value is not of its type: <paramref name="expected"/> says what it takes.
    /// </summary>
    public static T Parsed<T>(string key, string value, string expected)
        where T : ISpanParsable<T> =>
        T.TryParse(value, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"{key} must be {expected}, but was '{value}'{WhereToSet(key)}.");

    public static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    private static string WhereToSet(string key) => $" (set it with {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)})";
}
