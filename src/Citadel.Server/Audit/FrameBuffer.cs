using System.Buffers;

namespace Citadel.Server.Audit;

/// <summary>
/// A growable byte buffer from the shared pool whose written bytes can be patched in place (the
/// journal writer fills a frame's sequence, hashes and checksum after the request built it).
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;

    public FrameBuffer(int capacity) => _array = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length { get; private set; }

    /// <summary>For a batch kept in a journal segment: the segment's name (<see cref="AuditJournal.SegmentName"/>) and where in it <see cref="Written"/> begins; null otherwise.</summary>
    public string? Segment { get; set; }

    /// <summary>The file offset of the first written byte in <see cref="Segment"/>.</summary>
    public long SegmentOffset { get; set; }

    /// <summary>
    /// Set on frames whose requests failed and which could not be cut off their journal: the indexer records
    /// their numbers as a gap in the trail, makes it durable and completes this (AuditWriter.Faults.cs).
    /// </summary>
    public TaskCompletionSource? LostGap { get; set; }

    public Span<byte> Written => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void Advance(int count) => Length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(Length);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        Length = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }
}
