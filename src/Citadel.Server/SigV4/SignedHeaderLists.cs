using System.Collections.Concurrent;

namespace Citadel.Server.SigV4;

/// <summary>
/// The SignedHeaders lists of recent signed requests, split into names once: a client sends the same
/// list with every request, and the names are needed as strings to read the headers.
/// </summary>
internal sealed class SignedHeaderLists
{
    private const int Capacity = 64;

    private readonly ConcurrentDictionary<string, string[]> _lists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]>.AlternateLookup<ReadOnlySpan<char>> _listsBySpan;

    public SignedHeaderLists() => _listsBySpan = _lists.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The names of <paramref name="signedHeaders"/> (separated by ';'); <paramref name="cached"/> says whether they came from the cache.</summary>
    public string[] Get(ReadOnlySpan<char> signedHeaders, out bool cached)
    {
        cached = _listsBySpan.TryGetValue(signedHeaders, out var names);
        return names ?? signedHeaders.ToString().Split(';');
    }

    /// <summary>Caches a list; callers add only lists that signed a request. The returned arrays are shared: never change them.</summary>
    public void Add(string[] names)
    {
        if (_lists.Count >= Capacity)
        {
            _lists.Clear();
        }

        _lists[string.Join(';', names)] = names;
    }
}
