using System.Globalization;
using System.Text;
using Citadel.Core.Errors;
using Citadel.Server.Protocol.Model;

namespace Citadel.Server.Protocol;

/// <summary>
/// Collects violations of the KMS model's constraints and words them as AWS does:
/// "2 validation errors detected: Value 'x' at 'keyId' failed to satisfy constraint: Member must …; …".
/// Values are echoed whole; blobs and secrets never ("Value at 'plaintext' …"). Allocates only when something fails.
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
            Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}");
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
        if (context is null || (_errors?.Count ?? 0) != before)
        {
            return;
        }

        // The dictionary's own enumerator: this runs on every Encrypt and Decrypt and allocates nothing.
        foreach (var (key, value) in context)
        {
            if ((Core.Crypto.EncryptionContext.FieldProblem(key) ?? Core.Crypto.EncryptionContext.FieldProblem(value)) is { } problem)
            {
                Add($"Value at '{member}' failed to satisfy constraint: {problem}");
                return;
            }
        }
    }

    public void Enum(string? value, string member, string[] allowed)
    {
        if (value is not null && Array.IndexOf(allowed, value) < 0)
        {
            Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        }
    }

    /// <summary>
    /// A string member against its shape: length, then pattern, then enum. An empty string on a shape with a
    /// minimum length and a pattern fails both, and AWS reports both (the order of the two varies between AWS
    /// services' messages; we give length first).
    /// </summary>
    public void String(string? value, string member, StringShape shape)
    {
        if (value is null)
        {
            return;
        }

        if (shape.Min is { } min && value.Length < min)
        {
            Add(Violation(value, member, shape, $"Member must have length greater than or equal to {min}"));
        }
        else if (shape.Max is { } max && value.Length > max)
        {
            Add(Violation(value, member, shape, $"Member must have length less than or equal to {max}"));
        }

        if (shape.Regex is { } regex && !regex.IsMatch(value))
        {
            Add(Violation(value, member, shape, $"Member must satisfy regular expression pattern: {shape.Pattern}"));
        }

        if (shape.Enum is { } allowed && Array.IndexOf(allowed, value) < 0)
        {
            Add(Violation(value, member, shape, $"Member must satisfy enum value set: [{string.Join(", ", allowed)}]"));
        }
    }

    /// <summary>
    /// The members of a list of strings. AWS reports the list once, echoed whole as Java prints a list, with every
    /// constraint of its member shape: "Value '[a, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy
    /// constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]".
    /// </summary>
    public void StringMembers(List<string>? values, string member, StringShape shape)
    {
        if (values is null)
        {
            return;
        }

        var failed = false;
        var hasNull = false;
        foreach (var value in values)
        {
            if (value is null)
            {
                hasNull = true;
            }
            else if (!Satisfies(value, shape))
            {
                failed = true;
            }
        }

        if (!failed && !hasNull)
        {
            return;
        }

        var constraints = new List<string>(4);
        if (shape.Max is { } max)
        {
            constraints.Add($"Member must have length less than or equal to {max}");
        }

        if (shape.Min is { } min)
        {
            constraints.Add($"Member must have length greater than or equal to {min}");
        }

        if (shape.Pattern is { } pattern)
        {
            constraints.Add($"Member must satisfy regular expression pattern: {pattern}");
        }

        if (shape.Enum is { } allowed)
        {
            constraints.Add($"Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        }

        if (hasNull)
        {
            constraints.Add("Member must not be null");
        }

        var text = $"Member must satisfy constraint: [{string.Join(", ", constraints)}]";
        Add(shape.Secret
            ? $"Value at '{member}' failed to satisfy constraint: {text}"
            : $"Value '[{string.Join(", ", values.Select(v => v ?? "null"))}]' at '{member}' failed to satisfy constraint: {text}");
    }

    private static bool Satisfies(string value, StringShape shape) =>
        (shape.Min is not { } min || value.Length >= min)
        && (shape.Max is not { } max || value.Length <= max)
        && (shape.Regex is not { } regex || regex.IsMatch(value))
        && (shape.Enum is not { } allowed || Array.IndexOf(allowed, value) >= 0);

    private static string Violation(string value, string member, StringShape shape, string constraint) =>
        shape.Secret
            ? $"Value at '{member}' failed to satisfy constraint: {constraint}"
            : $"Value '{value}' at '{member}' failed to satisfy constraint: {constraint}";

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
}
