using System.Buffers.Binary;
using System.Text;

namespace Citadel.Server.Tests.Fuzz;

/// <summary>
/// Turns an input of the corpus into a nearby one, as AFL's and libFuzzer's mutators do without
/// coverage feedback: bit flips, byte changes, inserts, deletes, truncation, splicing with another
/// input, boundary integers, tokens of the target's format, long runs, deep nesting, invalid UTF-8.
/// Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class Mutator(Random random, IReadOnlyList<byte[]> corpus, IReadOnlyList<byte[]> tokens)
{
    private const int MaxLength = 1 << 20;

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x22, 0x5C, 0x2F, 0x3A, 0x3D, 0x20, 0x09];

    private static readonly long[] InterestingIntegers =
    [
        0, 1, -1, 2, 16, 32, 64, 85, 127, 128, 255, 256, 1000, 1024, 4096, 32767, 32768, 65535, 65536,
        int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, (long)int.MaxValue + 1,
    ];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xC0, 0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFE], [0xEF, 0xBB, 0xBF],
    ];

    public byte[] Next()
    {
        var input = corpus[random.Next(corpus.Count)];
        var data = new List<byte>(input);
        var rounds = 1 + random.Next(random.Next(2) == 0 ? 2 : 8);
        for (var i = 0; i < rounds; i++)
        {
            Mutate(data);
        }

        return [.. data];
    }

    private void Mutate(List<byte> data)
    {
        switch (random.Next(data.Count == 0 ? 2 : 16))
        {
            case 0:
                data.InsertRange(Position(data, inclusive: true), RandomBytes(1 + random.Next(8)));
                break;
            case 1:
                data.InsertRange(Position(data, inclusive: true), Token());
                break;
            case 2:
                data[Position(data)] ^= (byte)(1 << random.Next(8));
                break;
            case 3:
                data[Position(data)] = (byte)random.Next(256);
                break;
            case 4:
                data[Position(data)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 5:
                {
                    var at = Position(data);
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(random.Next(2) == 0 ? 4 : 64)));
                    break;
                }

            case 6:
                {
                    var at = Position(data);
                    data.RemoveRange(at, data.Count - at);
                    break;
                }

            case 7:
                {
                    var at = Position(data);
                    var length = Math.Min(data.Count - at, 1 + random.Next(32));
                    var copy = data.GetRange(at, length);
                    data.InsertRange(Position(data, inclusive: true), copy);
                    break;
                }

            case 8:
                Splice(data);
                break;
            case 9:
                OverwriteInteger(data);
                break;
            case 10:
                {
                    var token = Token();
                    var at = Position(data);
                    data.RemoveRange(at, Math.Min(data.Count - at, token.Length));
                    data.InsertRange(at, token);
                    break;
                }

            case 11:
                data.InsertRange(Position(data, inclusive: true), InvalidUtf8[random.Next(InvalidUtf8.Length)]);
                break;
            case 12:
                Repeat(data);
                break;
            case 13:
                Nest(data);
                break;
            case 14:
                data.InsertRange(Position(data, inclusive: true), Encoding.UTF8.GetBytes(InterestingIntegers[random.Next(InterestingIntegers.Length)].ToString(System.Globalization.CultureInfo.InvariantCulture)));
                break;
            default:
                {
                    // Swap two bytes.
                    var a = Position(data);
                    var b = Position(data);
                    (data[a], data[b]) = (data[b], data[a]);
                    break;
                }
        }

        if (data.Count > MaxLength)
        {
            data.RemoveRange(MaxLength, data.Count - MaxLength);
        }
    }

    private int Position(List<byte> data, bool inclusive = false) => random.Next(data.Count + (inclusive ? 1 : 0));

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Token() => tokens.Count > 0 && random.Next(4) != 0 ? tokens[random.Next(tokens.Count)] : [InterestingBytes[random.Next(InterestingBytes.Length)]];

    private void Splice(List<byte> data)
    {
        var other = corpus[random.Next(corpus.Count)];
        if (other.Length == 0)
        {
            return;
        }

        var from = random.Next(other.Length);
        var length = 1 + random.Next(other.Length - from);
        var at = Position(data, inclusive: true);
        if (random.Next(2) == 0)
        {
            data.RemoveRange(at, data.Count - at);
        }

        data.InsertRange(at, other.AsSpan(from, length).ToArray());
    }

    private void OverwriteInteger(List<byte> data)
    {
        var value = InterestingIntegers[random.Next(InterestingIntegers.Length)] + random.Next(-2, 3);
        var size = 1 << random.Next(4);
        Span<byte> bytes = stackalloc byte[8];
        if (random.Next(2) == 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            bytes = bytes[..size];
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes, value);
            bytes = bytes[(8 - size)..];
        }

        var at = Position(data);
        for (var i = 0; i < bytes.Length && at + i < data.Count; i++)
        {
            data[at + i] = bytes[i];
        }
    }

    private void Repeat(List<byte> data)
    {
        // Long values: over 64 KiB crosses 16-bit length fields, over 8 KiB most header and token limits.
        var count = random.Next(3) switch
        {
            0 => 1 + random.Next(300),
            1 => 8000 + random.Next(400),
            _ => 65530 + random.Next(20),
        };
        var unit = data.Count > 0 && random.Next(2) == 0 ? data[Position(data)] : (byte)'A';
        data.InsertRange(Position(data, inclusive: true), Enumerable.Repeat(unit, count));
    }

    private void Nest(List<byte> data)
    {
        // Deep nesting of the brackets of JSON and YAML flow collections, to find recursion without a limit.
        var (open, close) = random.Next(3) switch
        {
            0 => ((byte)'[', (byte)']'),
            1 => ((byte)'{', (byte)'}'),
            _ => ((byte)'(', (byte)')'),
        };
        var depth = random.Next(2) == 0 ? 1 + random.Next(100) : 1000 + random.Next(20000);
        var at = Position(data, inclusive: true);
        data.InsertRange(at, Enumerable.Repeat(open, depth));
        if (random.Next(2) == 0)
        {
            data.InsertRange(at + depth, Enumerable.Repeat(close, depth));
        }
    }
}
