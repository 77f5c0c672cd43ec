using System.IO.Hashing;

namespace Citadel.Server.Audit;

/// <summary>
/// The CRC-32 of any stretch of one buffer at a bounded cost, for <see cref="JournalContents"/>'s scan
/// after damage: there every offset may claim a frame of up to <see cref="AuditFrame.MaxLength"/>
/// bytes, and checking each claim by hashing what it covers would cost the file's length times 4 MiB
/// (minutes for a journal crafted to claim a frame at every hundredth byte). A long stretch is
/// computed from the CRC of every <see cref="Step"/>-byte prefix (taken once, on the first long
/// stretch asked for) with zlib's crc32_combine algebra: crc(a..b) = crc(0..b) ⊕ crc(0..a)·x^(8(b−a)) mod P,
/// so each costs at most two short stretches and a few hundred word operations.
/// </summary>
internal sealed class RangeCrc(ReadOnlyMemory<byte> bytes)
{
    /// <summary>Bytes between two prefixes kept: 4 KiB per stretch hashed directly, 1 KiB of prefixes per MiB.</summary>
    private const int Step = 4096;

    /// <summary>The reflected CRC-32 polynomial (IEEE 802.3), as zlib writes it.</summary>
    private const uint Polynomial = 0xEDB88320;

    /// <summary>x^(2^n) mod P for n = 0..31, for <see cref="PowerOfX"/>.</summary>
    private static readonly uint[] XToTwoToThe = PowersOfX();

    /// <summary>crc(0..i·Step), taken on first use.</summary>
    private uint[]? _prefixes;

    /// <summary>The CRC-32 of bytes [<paramref name="from"/>, <paramref name="to"/>), as <see cref="Crc32.HashToUInt32(ReadOnlySpan{byte})"/> gives it.</summary>
    public uint Of(int from, int to)
    {
        var span = bytes.Span;
        if (to - from <= 2 * Step)
        {
            return Crc32.HashToUInt32(span[from..to]);
        }

        _prefixes ??= Prefixes(span);
        return Prefix(span, to) ^ Multiply(PowerOfX(to - from), Prefix(span, from));
    }

    /// <summary>crc(0..at): the nearest prefix kept at or before it, extended by what follows it.</summary>
    private uint Prefix(ReadOnlySpan<byte> span, int at)
    {
        var kept = at / Step;
        var start = kept * Step;
        return Combine(_prefixes![kept], Crc32.HashToUInt32(span[start..at]), at - start);
    }

    private static uint[] Prefixes(ReadOnlySpan<byte> span)
    {
        var prefixes = new uint[(span.Length / Step) + 1];
        var crc = new Crc32();
        for (var i = 1; i < prefixes.Length; i++)
        {
            crc.Append(span.Slice((i - 1) * Step, Step));
            prefixes[i] = crc.GetCurrentHashAsUInt32();
        }

        return prefixes;
    }

    /// <summary>crc(A‖B) from crc(A), crc(B) and B's length (zlib's crc32_combine).</summary>
    private static uint Combine(uint first, uint second, int secondLength) => Multiply(PowerOfX(secondLength), first) ^ second;

    /// <summary>x^(8·<paramref name="length"/>) mod P (zlib's x2nmodp(length, 3)).</summary>
    private static uint PowerOfX(int length)
    {
        var product = 1u << 31; // x^0, reflected
        for (var k = 3; length != 0; length >>= 1, k++)
        {
            if ((length & 1) != 0)
            {
                product = Multiply(XToTwoToThe[k & 31], product);
            }
        }

        return product;
    }

    /// <summary>a·b mod P, reflected (zlib's multmodp).</summary>
    private static uint Multiply(uint a, uint b)
    {
        var product = 0u;
        for (var m = 1u << 31; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
            }

            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }

        return product;
    }

    private static uint[] PowersOfX()
    {
        var powers = new uint[32];
        var p = 1u << 30; // x^1, reflected
        powers[0] = p;
        for (var n = 1; n < 32; n++)
        {
            powers[n] = p = Multiply(p, p);
        }

        return powers;
    }
}
