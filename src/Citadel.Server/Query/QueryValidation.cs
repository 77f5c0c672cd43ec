using System.Globalization;
using System.Text.RegularExpressions;

namespace Citadel.Server.Query;

/// <summary>The model's constraints on query parameters, in AWS's wording ("1 validation error detected: …").</summary>
internal static class QueryValidation
{
    /// <summary>A required or optional string: its length and pattern; null when it fits (or is absent and optional).</summary>
    public static QueryError? String(QueryForm form, string name, int min, int max, Regex? pattern = null, bool required = false)
    {
        var value = form[name];
        if (value is null)
        {
            return required ? QueryErrors.MissingParameter(name) : null;
        }

        if (value.Length < min)
        {
            return Fails(value, name, $"Member must have length greater than or equal to {min}");
        }

        if (value.Length > max)
        {
            return Fails(value, name, $"Member must have length less than or equal to {max}");
        }

        return pattern is not null && !pattern.IsMatch(value) ? Fails(value, name, $"Member must satisfy regular expression pattern: {pattern}") : null;
    }

    /// <summary>An optional integer within [min, max]; the parsed value (or null when absent) comes back in <paramref name="value"/>.</summary>
    public static QueryError? Int(QueryForm form, string name, int min, int max, out int? value)
    {
        if (!form.TryGetInt(name, out value, out var notANumber))
        {
            return notANumber;
        }

        if (value < min)
        {
            return Fails(value.Value.ToString(CultureInfo.InvariantCulture), name, $"Member must have value greater than or equal to {min}");
        }

        return value > max ? Fails(value.Value.ToString(CultureInfo.InvariantCulture), name, $"Member must have value less than or equal to {max}") : null;
    }

    private static QueryError Fails(string value, string name, string constraint) =>
        QueryErrors.Validation($"1 validation error detected: Value '{value}' at '{QueryErrors.LowerFirst(name)}' failed to satisfy constraint: {constraint}");
}
