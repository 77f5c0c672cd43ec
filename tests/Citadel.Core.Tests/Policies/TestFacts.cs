using Citadel.Core.Policies;

namespace Citadel.Core.Tests.Policies;

/// <summary>
/// Request facts for evaluator tests: condition keys and their values, looked up the way the server
/// does (by the parsed key, so key names are case-insensitive; the name part of tag and
/// encryption-context keys too). Unknown keys are never present.
/// </summary>
internal sealed class TestFacts : IRequestFacts
{
    private readonly List<(ConditionKey Key, string[] Values)> _entries = [];

    /// <summary>No facts at all: every key is missing.</summary>
    public static TestFacts None => new();

    /// <summary>Facts from "key=value" pairs; a value with '|' is a multivalued key; a null value leaves the key out.</summary>
    public static TestFacts Of(string key, string? values) => new TestFacts().With(key, values);

    public TestFacts With(string key, string? values)
    {
        if (values is not null)
        {
            _entries.Add((ConditionKey.Parse(key), values.Split('|')));
        }

        return this;
    }

    public bool TryGet(in ConditionKey key, out FactValues values)
    {
        foreach (var (candidate, candidateValues) in _entries)
        {
            if (candidate.Known != KnownConditionKey.Unknown && candidate.Known == key.Known
                && string.Equals(candidate.Suffix, key.Suffix, StringComparison.OrdinalIgnoreCase))
            {
                values = candidateValues.Length == 1 ? new FactValues(candidateValues[0]) : new FactValues(candidateValues);
                return true;
            }
        }

        values = default;
        return false;
    }
}
