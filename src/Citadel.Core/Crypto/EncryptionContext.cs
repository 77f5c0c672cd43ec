using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Citadel.Core.Crypto;

/// <summary>
/// The canonical byte form of an encryption context, used as associated data: pairs sorted by
/// key (ordinal, as UTF-16 code units compare), each written as
/// u16 key length | key UTF-8 | u16 value length | value UTF-8, all big-endian. An empty or
/// absent context is zero bytes, so "no context" and "empty context" are the same, as at AWS.
/// </summary>
public static class EncryptionContext
{
    public static int CanonicalLength(IReadOnlyDictionary<string, string>? context)
    {
        var pairs = RentPairs(context, out var count);
        try
        {
            var length = 0;
            foreach (var (key, value) in pairs.AsSpan(0, count))
            {
                length += 4 + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
            }

            return length;
        }
        finally
        {
            ReturnPairs(pairs);
        }
    }

    /// <summary>Writes the canonical form into <paramref name="destination"/>, which is <see cref="CanonicalLength"/> long.</summary>
    public static void WriteCanonical(IReadOnlyDictionary<string, string>? context, Span<byte> destination)
    {
        var pairs = RentPairs(context, out var count);
        try
        {
            var sorted = pairs.AsSpan(0, count);
            sorted.Sort(CompareKeys);
            var offset = 0;
            foreach (var (key, value) in sorted)
            {
                offset += WritePair(key, value, destination[offset..]);
            }
        }
        finally
        {
            ReturnPairs(pairs);
        }
    }

    private static int CompareKeys(KeyValuePair<string, string> a, KeyValuePair<string, string> b) => string.CompareOrdinal(a.Key, b.Key);

    /// <summary>The pairs in a pooled array, copied without boxing an enumerator when the context is a collection (a deserialized Dictionary is).</summary>
    private static KeyValuePair<string, string>[] RentPairs(IReadOnlyDictionary<string, string>? context, out int count)
    {
        count = context?.Count ?? 0;
        if (count == 0)
        {
            return [];
        }

        var pairs = ArrayPool<KeyValuePair<string, string>>.Shared.Rent(count);
        if (context is ICollection<KeyValuePair<string, string>> collection)
        {
            collection.CopyTo(pairs, 0);
            return pairs;
        }

        var i = 0;
        foreach (var pair in context!)
        {
            pairs[i++] = pair;
        }

        return pairs;
    }

    private static void ReturnPairs(KeyValuePair<string, string>[] pairs)
    {
        if (pairs.Length > 0)
        {
            ArrayPool<KeyValuePair<string, string>>.Shared.Return(pairs, clearArray: true);
        }
    }

    private static int WritePair(string key, string value, Span<byte> destination)
    {
        var keyLength = Encoding.UTF8.GetBytes(key, destination[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)keyLength);
        var rest = destination[(2 + keyLength)..];
        var valueLength = Encoding.UTF8.GetBytes(value, rest[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(rest, (ushort)valueLength);
        return 4 + keyLength + valueLength;
    }
}
