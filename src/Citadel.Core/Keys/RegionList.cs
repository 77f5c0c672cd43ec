using System.Collections;

namespace Citadel.Core.Keys;

/// <summary>
/// An immutable list of Regions that compares by its items, so that a <see cref="KeyRecord"/> read twice from the store
/// equals itself (a record compares a plain list by reference).
/// </summary>
public sealed class RegionList : IReadOnlyList<string>, IEquatable<RegionList>
{
    private readonly string[] _regions;

    private RegionList(string[] regions) => _regions = regions;

    public static RegionList Empty { get; } = new([]);

    public int Count => _regions.Length;

    public string this[int index] => _regions[index];

    public static RegionList Of(IEnumerable<string> regions) =>
        regions as RegionList ?? (regions.ToArray() is { Length: > 0 } items ? new RegionList(items) : Empty);

    public bool Equals(RegionList? other) => other is not null && _regions.AsSpan().SequenceEqual(other._regions);

    public override bool Equals(object? obj) => Equals(obj as RegionList);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var region in _regions)
        {
            hash.Add(region, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)_regions).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(',', _regions);
}
