using System.Buffers;

namespace Citadel.Server.Audit;

/// <summary>
/// A growable byte buffer from <see cref="Pool"/> whose written bytes can be patched in place (the
/// journal writer fills a frame's sequence, hashes and checksum after the request built it).
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    /// <summary>
    /// The largest array <see cref="Pool"/> keeps (1 MiB): a batch of the default MaxBatch (512) of frames of
    /// a couple of KB. A larger buffer is allocated and dropped, as a batch of several large requests' frames
    /// is rare.
    /// </summary>
    internal const int MaxPooledLength = 1 << 20;

    /// <summary>
    /// How many arrays of one size <see cref="Pool"/> keeps: the indexer returns a derived run's batches all at
    /// once, at most <see cref="AuditWriter.IndexBatch"/> records and so at most that many batches, and the pool
    /// must take them all to hand them out again. It keeps no more than were out at once, so what it holds is
    /// what the trail had in flight at its peak.
    /// </summary>
    internal const int MaxPooledPerSize = AuditWriter.IndexBatch;

    /// <summary>
    /// Where frame buffers come from. Not <see cref="ArrayPool{T}.Shared"/>: that keeps a few dozen arrays
    /// of a size, and the indexer holds each batch's buffer until its records are in the store, for up to
    /// its 100 ms wait, hundreds of them under load; returned to a full shared pool they were dropped
    /// and every batch allocated anew.
    /// </summary>
    internal static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(MaxPooledLength, MaxPooledPerSize);

    private byte[] _array;

    public FrameBuffer(int capacity) => _array = Pool.Rent(capacity);

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
        Pool.Return(_array);
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

        var larger = Pool.Rent(Math.Max(needed, _array.Length * 2));
        _array.AsSpan(0, Length).CopyTo(larger);
        Pool.Return(_array);
        _array = larger;
    }
}
