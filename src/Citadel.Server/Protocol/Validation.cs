using System.Globalization;
using System.Text;
using Citadel.Core.Errors;

namespace Citadel.Server.Protocol;

/// <summary>
/// Collects violations of the KMS model's constraints and words them as AWS does:
/// "2 validation errors detected: Value 'x' at 'keyId' failed to satisfy constraint: Member must …; …".
/// Blob values are never echoed ("Value at 'plaintext' …"). Allocates only when something fails.
/// </summary>
internal struct Validation
{
    private List<string>? _errors;

    public readonly bool HasErrors => _errors is { Count: > 0 };

    public void Required(object? value, string member)
    {
        if (value is null)
        {
            Add($"Value null at '{member}' failed to satisfy constraint: Member must not be null");
        }
    }

    public void Length(string? value, string member, int min, int max)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length < min)
        {
            Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        }
        else if (value.Length > max)
        {
            Add($"Value '{Truncate(value)}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        }
    }

    public void BlobLength(byte[]? value, string member, int min, int max)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length < min)
        {
            Add($"Value at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        }
        else if (value.Length > max)
        {
            Add($"Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        }
    }

    public void Range(int? value, string member, int min, int max)
    {
        if (value is not { } v)
        {
            return;
        }

        if (v < min)
        {
            Add($"Value '{v.ToString(CultureInfo.InvariantCulture)}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
        }
        else if (v > max)
        {
            Add($"Value '{v.ToString(CultureInfo.InvariantCulture)}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}");
        }
    }

    public void Count<T>(IReadOnlyCollection<T>? value, string member, int min, int max)
    {
        if (value is null)
        {
            return;
        }

        if (value.Count < min)
        {
            Add($"Value '[{string.Join(", ", value)}]' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        }
        else if (value.Count > max)
        {
            Add($"Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        }
    }

    /// <summary>A JSON null as a map value (e.g. {"EncryptionContext":{"a":null}}) reaches us as a null string.</summary>
    public void MapValuesNotNull(Dictionary<string, string>? map, string member)
    {
        if (map is null)
        {
            return;
        }

        foreach (var (_, value) in map)
        {
            if (value is null)
            {
                Add($"Value at '{member}' failed to satisfy constraint: Map value must satisfy constraint: [Member must not be null]");
                return;
            }
        }
    }

    /// <summary>
    /// An encryption context: no null values, and nothing its canonical form (the associated data of
    /// ciphertexts) cannot carry, such as a key or value over 65,535 UTF-8 bytes (<see cref="Core.Crypto.EncryptionContext.Problem"/>).
    /// </summary>
    public void EncryptionContext(Dictionary<string, string>? context, string member)
    {
        var before = _errors?.Count ?? 0;
        MapValuesNotNull(context, member);
        if ((_errors?.Count ?? 0) == before && Core.Crypto.EncryptionContext.Problem(context) is { } problem)
        {
            Add($"Value at '{member}' failed to satisfy constraint: {problem}");
        }
    }

    public void Enum(string? value, string member, string[] allowed)
    {
        if (value is not null && Array.IndexOf(allowed, value) < 0)
        {
            Add($"Value '{Truncate(value)}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        }
    }

    public void Pattern(string? value, string member, Func<string, bool> matches, string pattern)
    {
        if (value is not null && !matches(value))
        {
            Add($"Value '{Truncate(value)}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}");
        }
    }

    public void Add(string message) => (_errors ??= []).Add(message);

    public readonly KmsError? ToError()
    {
        if (_errors is not { Count: > 0 } errors)
        {
            return null;
        }

        var text = new StringBuilder();
        text.Append(errors.Count.ToString(CultureInfo.InvariantCulture));
        text.Append(errors.Count == 1 ? " validation error detected: " : " validation errors detected: ");
        text.AppendJoin("; ", errors);
        return new KmsError(KmsErrorCode.Validation, text.ToString());
    }

    private static string Truncate(string value) => value.Length <= 256 ? value : value[..256] + "...";
}
