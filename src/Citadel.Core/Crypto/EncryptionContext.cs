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
        if (context is null || context.Count == 0)
        {
            return 0;
        }

        var length = 0;
        foreach (var (key, value) in context)
        {
            length += 4 + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }

        return length;
    }

    /// <summary>Writes the canonical form into <paramref name="destination"/>, which is <see cref="CanonicalLength"/> long.</summary>
    public static void WriteCanonical(IReadOnlyDictionary<string, string>? context, Span<byte> destination)
    {
        if (context is null || context.Count == 0)
        {
            return;
        }

        if (context.Count == 1)
        {
            foreach (var (key, value) in context)
            {
                WritePair(key, value, destination);
            }

            return;
        }

        var keys = new string[context.Count];
        var i = 0;
        foreach (var key in context.Keys)
        {
            keys[i++] = key;
        }

        Array.Sort(keys, StringComparer.Ordinal);
        var offset = 0;
        foreach (var key in keys)
        {
            offset += WritePair(key, context[key], destination[offset..]);
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
