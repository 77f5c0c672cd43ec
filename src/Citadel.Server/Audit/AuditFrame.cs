using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Audit;

namespace Citadel.Server.Audit;

/// <summary>
/// One audit record as the journal stores it: the columns it is looked up by, the CloudTrail record
/// (UTF-8 JSON) and its place in the hash chain, framed so that a torn write is recognised.
/// <code>
/// u32 length of what follows      u64 sequence        32 bytes previous hash   32 bytes hash
/// i64 event time (Unix ms)        u8 read-only
/// 7 × (u16 length | 0xFFFF null, UTF-8): event id, account, event name, event source, username, access key id, resource
/// u32 record length, record       u32 CRC-32 of everything after the length field up to here
/// </code>
/// The request builds the frame; the journal writer fills in sequence, hashes and checksum.
/// Integers are little-endian.
/// </summary>
internal static class AuditFrame
{
    private const int SequenceAt = 4;
    private const int PreviousAt = 12;
    private const int HashAt = 44;
    private const int TimeAt = 76;
    private const int ReadOnlyAt = 84;
    private const int FieldsAt = 85;
    private const ushort Null = 0xFFFF;

    /// <summary>Where in a frame the bytes its checksum covers begin (everything but the length field and the checksum).</summary>
    public const int ChecksummedFrom = SequenceAt;

    /// <summary>The largest frame accepted when reading; anything longer is a torn or foreign tail.</summary>
    public const int MaxLength = 4 << 20;

    private static readonly long MinEventTimeMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxEventTimeMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Starts a frame: the fixed part and the lookup columns. The record follows (<see cref="EndRecord"/>).</summary>
    public static int Begin(FrameBuffer frame, AuditEvent e)
    {
        frame.Clear();
        var head = frame.GetSpan(FieldsAt);
        head[..FieldsAt].Clear();
        BinaryPrimitives.WriteInt64LittleEndian(head[TimeAt..], e.EventTime.ToUnixTimeMilliseconds());
        head[ReadOnlyAt] = e.ReadOnly ? (byte)1 : (byte)0;
        frame.Advance(FieldsAt);

        Span<byte> id = stackalloc byte[36];
        e.EventId.TryFormat(id, out _, "D");
        Field(frame, id);
        Field(frame, e.AccountId);
        Field(frame, e.EventName);
        Field(frame, e.EventSource);
        if (AuditEvent.TryGetUsername(e.Principal, out var username))
        {
            Field(frame, username);
        }
        else
        {
            NullField(frame);
        }

        Field(frame, e.AccessKeyId);
        Field(frame, e.ResourceArn);
        var recordLengthAt = frame.Length;
        frame.Advance(4);
        return recordLengthAt;
    }

    /// <summary>Ends the record begun after <paramref name="recordLengthAt"/>: its length, room for the checksum, the frame length.</summary>
    public static void EndRecord(FrameBuffer frame, int recordLengthAt)
    {
        var recordLength = frame.Length - recordLengthAt - 4;
        frame.GetSpan(4);
        frame.Advance(4);
        var bytes = frame.Written;
        BinaryPrimitives.WriteInt32LittleEndian(bytes[recordLengthAt..], recordLength);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, bytes.Length - 4);
    }

    /// <summary>
    /// Chains the frame: sequence, the previous hash, hash = SHA-256(previous hash as hex || 0x0A || record)
    /// (as <see cref="AuditChain.Hash"/>), then the checksum. Returns the new hash in <paramref name="hash"/>.
    /// </summary>
    public static void Seal(Span<byte> frame, long sequence, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> previousHex, IncrementalHash sha256, Span<byte> hash)
    {
        BinaryPrimitives.WriteInt64LittleEndian(frame[SequenceAt..], sequence);
        previousHash.CopyTo(frame[PreviousAt..]);
        sha256.AppendData(previousHex);
        sha256.AppendData("\n"u8);
        sha256.AppendData(Record(frame));
        sha256.GetHashAndReset(hash);
        hash.CopyTo(frame[HashAt..]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[^4..], Crc32.HashToUInt32(frame[SequenceAt..^4]));
    }

    /// <summary>
    /// The length of the whole frame at the start of <paramref name="bytes"/>, or 0 when no complete,
    /// intact frame is there (the end of a journal, a write the crash tore, or bytes whose checksum
    /// matches but whose layout this code never writes).
    /// </summary>
    public static int Measure(ReadOnlySpan<byte> bytes)
    {
        var length = Claimed(bytes);
        return length > 0 && Crc32.HashToUInt32(bytes[SequenceAt..(length - 4)]) == ChecksumOf(bytes[..length]) ? length : 0;
    }

    /// <summary>
    /// The length of the frame the start of <paramref name="bytes"/> claims to be, checksum aside: 0 unless its
    /// length field fits, the frame is all there and its layout is one this code writes. Cheap (it reads the
    /// fixed part and seven field lengths), so a scan over damage checks it before it computes a checksum.
    /// </summary>
    public static int Claimed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4)
        {
            return 0;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length < FieldsAt || length > MaxLength || bytes.Length < 4 + length)
        {
            return 0;
        }

        return IsWellFormed(bytes[..(4 + length)]) ? 4 + length : 0;
    }

    /// <summary>The CRC-32 a whole frame carries, over its bytes from <see cref="ChecksummedFrom"/> to the last four.</summary>
    public static uint ChecksumOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt32LittleEndian(frame[^4..]);

    /// <summary>
    /// Whether the seven fields and the record fill the frame exactly and the event time is one a
    /// <see cref="DateTimeOffset"/> holds. A CRC-32 is no proof that this code wrote the frame (a
    /// journal changed on disk can carry a matching one), and decoding must not read past the frame.
    /// </summary>
    private static bool IsWellFormed(ReadOnlySpan<byte> frame)
    {
        var time = BinaryPrimitives.ReadInt64LittleEndian(frame[TimeAt..]);
        if (time < MinEventTimeMs || time > MaxEventTimeMs)
        {
            return false;
        }

        var end = frame.Length - 4;
        var at = FieldsAt;
        for (var i = 0; i < 7; i++)
        {
            if (end - at < 2)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16LittleEndian(frame[at..]);
            at += 2 + (length == Null ? 0 : length);
        }

        return end - at >= 4 && BinaryPrimitives.ReadInt32LittleEndian(frame[at..]) == end - at - 4;
    }

    public static long SequenceOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt64LittleEndian(frame[SequenceAt..]);

    /// <summary>The hash of the record before this one, which the frame links to.</summary>
    public static ReadOnlySpan<byte> PreviousHashOf(ReadOnlySpan<byte> frame) => frame.Slice(PreviousAt, 32);

    /// <summary>
    /// Decodes the intact, consecutive frames at the start of <paramref name="bytes"/> into
    /// <paramref name="records"/> (slices of <paramref name="bytes"/>, valid as long as it is), leaving
    /// out those with a sequence number up to <paramref name="after"/>. Stops at the first that is
    /// not (zeros, a torn write, a sequence out of order) and returns the bytes read.
    /// </summary>
    public static int DecodeAll(ReadOnlyMemory<byte> bytes, long after, List<AuditRecordUtf8> records)
    {
        var read = 0;
        long? expected = null;
        while (Measure(bytes.Span[read..]) is var length and > 0)
        {
            var frame = bytes.Slice(read, length);
            var sequence = SequenceOf(frame.Span);
            if (expected is { } next && sequence != next)
            {
                break;
            }

            if (sequence > after)
            {
                records.Add(Decode(frame));
            }

            expected = sequence + 1;
            read += length;
        }

        return read;
    }

    /// <summary>The stored form of an intact frame (see <see cref="Measure"/>), as slices of it.</summary>
    public static AuditRecordUtf8 Decode(ReadOnlyMemory<byte> frame)
    {
        var at = FieldsAt;
        var eventId = ReadField(frame, ref at);
        var accountId = ReadField(frame, ref at);
        var eventName = ReadField(frame, ref at);
        var eventSource = ReadField(frame, ref at);
        var username = ReadField(frame, ref at);
        var accessKeyId = ReadField(frame, ref at);
        var resource = ReadField(frame, ref at);
        var recordLength = BinaryPrimitives.ReadInt32LittleEndian(frame.Span[at..]);
        var span = frame.Span;
        return new AuditRecordUtf8(
            SequenceOf(span),
            BinaryPrimitives.ReadInt64LittleEndian(span[TimeAt..]),
            span[ReadOnlyAt] == 1,
            eventId ?? default,
            accountId ?? default,
            eventName ?? default,
            eventSource ?? default,
            username,
            accessKeyId,
            resource,
            frame.Slice(at + 4, recordLength),
            frame.Slice(PreviousAt, 32),
            frame.Slice(HashAt, 32));
    }

    private static ReadOnlySpan<byte> Record(ReadOnlySpan<byte> frame)
    {
        var rest = frame[FieldsAt..];
        for (var i = 0; i < 7; i++)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(rest);
            rest = rest[(2 + (length == Null ? 0 : length))..];
        }

        var recordLength = BinaryPrimitives.ReadInt32LittleEndian(rest);
        return rest.Slice(4, recordLength);
    }

    private static ReadOnlyMemory<byte>? ReadField(ReadOnlyMemory<byte> frame, ref int at)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(frame.Span[at..]);
        if (length == Null)
        {
            at += 2;
            return null;
        }

        var value = frame.Slice(at + 2, length);
        at += 2 + length;
        return value;
    }

    private static void Field(FrameBuffer frame, ReadOnlySpan<char> value)
    {
        // A char is at most 3 UTF-8 bytes: only a value that long can be too long, and only then are its bytes counted first.
        if (value.Length > (Null - 1) / 3 && Encoding.UTF8.GetByteCount(value) >= Null)
        {
            // No lookup column is that long (ARNs, ids, names); the record keeps the value.
            NullField(frame);
            return;
        }

        var span = frame.GetSpan(2 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, span[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)written);
        frame.Advance(2 + written);
    }

    private static void Field(FrameBuffer frame, string? value)
    {
        if (value is null)
        {
            NullField(frame);
        }
        else
        {
            Field(frame, value.AsSpan());
        }
    }

    private static void Field(FrameBuffer frame, ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length >= Null)
        {
            NullField(frame);
            return;
        }

        var span = frame.GetSpan(2 + utf8.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)utf8.Length);
        utf8.CopyTo(span[2..]);
        frame.Advance(2 + utf8.Length);
    }

    private static void NullField(FrameBuffer frame)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(frame.GetSpan(2), Null);
        frame.Advance(2);
    }
}
