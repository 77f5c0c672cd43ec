using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Citadel.Core.Crypto;

/// <summary>
/// The canonical byte form of an encryption context, used as associated data: pairs sorted by
/// key (ordinal, as UTF-16 code units compare), each written as
/// u16 key length | key UTF-8 | u16 value length | value UTF-8, all big-endian. An empty or
/// absent context is zero bytes, so "no context" and "empty context" are the same, as at AWS.
/// The form is injective only because every length fits its 16 bits and UTF-8 is strict: a longer key
/// or value, or a lone surrogate, is refused (<see cref="Problem"/>), never wrapped or replaced.
/// </summary>
public static class EncryptionContext
{
    /// <summary>The most UTF-8 bytes a key or a value may have: its length is written in 16 bits.</summary>
    public const int MaxFieldBytes = ushort.MaxValue;

    /// <summary>Strict: a lone surrogate throws instead of becoming U+FFFD, which would make two contexts one.</summary>
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Why the canonical form cannot carry <paramref name="context"/> (a key or value longer than
    /// <see cref="MaxFieldBytes"/> UTF-8 bytes, or not valid UTF-16), or null when it can. Requests are
    /// checked with this at the edge; <see cref="CanonicalLength"/> and <see cref="WriteCanonical"/>
    /// throw on such a context rather than write a form another context shares.
    /// </summary>
    public static string? Problem(IReadOnlyDictionary<string, string>? context)
    {
        if (context is null)
        {
            return null;
        }

        foreach (var (key, value) in context)
        {
            if ((FieldProblem(key) ?? FieldProblem(value)) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    public static int CanonicalLength(IReadOnlyDictionary<string, string>? context)
    {
        var pairs = RentPairs(context, out var count);
        try
        {
            var length = 0;
            foreach (var (key, value) in pairs.AsSpan(0, count))
            {
                length += 4 + FieldLength(key) + FieldLength(value);
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

    /// <summary>Why the canonical form cannot carry one key or value, or null when it can (see <see cref="Problem"/>).</summary>
    public static string? FieldProblem(string? field)
    {
        if (field is null)
        {
            return null;
        }

        if (field.Length > MaxFieldBytes)
        {
            return TooLong;
        }

        try
        {
            return Utf8.GetByteCount(field) > MaxFieldBytes ? TooLong : null;
        }
        catch (EncoderFallbackException)
        {
            return "Map keys and values must be valid Unicode: a lone surrogate cannot be encoded in UTF-8";
        }
    }

    private const string TooLong = "Map keys and values must each be at most 65535 bytes long in UTF-8";

    /// <summary>The UTF-8 length of a key or value; throws when the 16-bit length cannot carry it.</summary>
    private static int FieldLength(string field)
    {
        var length = Utf8.GetByteCount(field);
        return length <= MaxFieldBytes ? length : throw FieldTooLong(length);
    }

    private static ArgumentException FieldTooLong(int length) =>
        new($"An encryption context key or value of {length} UTF-8 bytes is longer than the canonical form carries ({MaxFieldBytes}).");

    private static int WritePair(string key, string value, Span<byte> destination)
    {
        var keyLength = WriteField(key, destination);
        return keyLength + WriteField(value, destination[keyLength..]);
    }

    /// <summary>u16 length | UTF-8: throws rather than wrap the length or replace a lone surrogate, so the form stays injective.</summary>
    private static int WriteField(string field, Span<byte> destination)
    {
        var length = Utf8.GetBytes(field, destination[2..]);
        if (length > MaxFieldBytes)
        {
            throw FieldTooLong(length);
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)length);
        return 2 + length;
    }
}
