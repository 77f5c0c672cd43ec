using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Citadel.Core.Keys;

/// <summary>
/// A key id, written as AWS writes it: a UUID (lower-case, hyphenated) for a single-Region key, <c>mrk-</c> and 32
/// lower-case hex digits for a multi-Region key. Every key of a multi-Region set has the same id, one per Region, so a
/// multi-Region id also carries the <see cref="Region"/> of the key it names: the id as parsed from a request or a
/// ciphertext names the set (no Region) until it is placed in the Region of the request (<see cref="InRegion"/>).
/// The store keeps a key under <see cref="StoreKey"/>.
/// </summary>
public readonly record struct KeyId
{
    private const string MultiRegionPrefix = "mrk-";

    public KeyId(Guid value) => Value = value;

    private KeyId(Guid value, string? region)
    {
        Value = value;
        IsMultiRegion = true;
        Region = region;
    }

    public Guid Value { get; }

    /// <summary>The id is a multi-Region key's (<c>mrk-</c>).</summary>
    public bool IsMultiRegion { get; }

    /// <summary>The Region of the key of the multi-Region set this id names; null for single-Region keys and for the set itself.</summary>
    public string? Region { get; }

    /// <summary>
    /// The text the store keeps the key under: the id of a single-Region key; <c>mrk-…/region</c> for a key of a
    /// multi-Region set, so its keys in several Regions are several rows (and their materials, tags and grants too).
    /// </summary>
    public string StoreKey => IsMultiRegion ? $"{ToString()}/{Region}" : ToString();

    public static KeyId New() => new(Guid.NewGuid());

    /// <summary>A new multi-Region id, for its primary key in <paramref name="region"/>.</summary>
    public static KeyId NewMultiRegion(string region) => new(Guid.NewGuid(), region);

    /// <summary>The multi-Region set with this UUID (a ciphertext names it so).</summary>
    public static KeyId MultiRegion(Guid value) => new(value, null);

    /// <summary>The key of this id's multi-Region set in <paramref name="region"/>; a single-Region id as it is.</summary>
    public KeyId InRegion(string region) => IsMultiRegion ? new KeyId(Value, region) : this;

    /// <summary>The multi-Region set this id belongs to (no Region); a single-Region id as it is.</summary>
    public KeyId Set => IsMultiRegion ? new KeyId(Value, null) : this;

    public static bool TryParse([NotNullWhen(true)] string? text, out KeyId id)
    {
        id = default;
        return text is not null && TryParse(text.AsSpan(), out id);
    }

    public static bool TryParse(ReadOnlySpan<char> text, out KeyId id)
    {
        // AWS key ids are exactly 36 characters; Guid.TryParse alone would accept braces and other forms.
        if (text.Length == 36 && Guid.TryParseExact(text, "D", out var guid))
        {
            id = new KeyId(guid);
            return true;
        }

        // mrk- and 32 lower-case hex digits (the model's examples; AWS writes them lower-case).
        if (text.Length == 36 && text.StartsWith(MultiRegionPrefix) && IsLowerHex(text[4..]) && Guid.TryParseExact(text[4..], "N", out guid))
        {
            id = new KeyId(guid, null);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>Reads <see cref="StoreKey"/> back.</summary>
    public static KeyId ParseStoreKey(string text) =>
        TryParseStoreKey(text, out var id) ? id : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a stored key id."));

    /// <summary>Reads <see cref="StoreKey"/> back: a single-Region id, or a multi-Region id with its Region.</summary>
    public static bool TryParseStoreKey(string text, out KeyId id)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!TryParse(slash < 0 ? text.AsSpan() : text.AsSpan(0, slash), out id) || id.IsMultiRegion != slash > 0 || slash == text.Length - 1)
        {
            id = default;
            return false;
        }

        id = slash < 0 ? id : id.InRegion(text[(slash + 1)..]);
        return true;
    }

    public override string ToString() => IsMultiRegion ? MultiRegionPrefix + Value.ToString("N") : Value.ToString("D");

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
