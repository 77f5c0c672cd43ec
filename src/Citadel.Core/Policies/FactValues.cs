namespace Citadel.Core.Policies;

/// <summary>The values of one condition key in a request: none, one, or several (multivalued keys).</summary>
public readonly struct FactValues
{
    private readonly string? _single;
    private readonly IReadOnlyList<string>? _many;

    public FactValues(string one)
    {
        _single = one;
        _many = null;
    }

    public FactValues(IReadOnlyList<string> many)
    {
        _single = null;
        _many = many;
    }

    public int Count => _many?.Count ?? (_single is null ? 0 : 1);

    public string this[int index] => _many is not null ? _many[index] : index == 0 && _single is not null ? _single : throw new ArgumentOutOfRangeException(nameof(index));
}

/// <summary>What the request says about itself, looked up by condition key. Implemented by the server per request.</summary>
public interface IRequestFacts
{
    /// <summary>The values of <paramref name="key"/>, or false when the request has no such key.</summary>
    bool TryGet(in ConditionKey key, out FactValues values);
}
