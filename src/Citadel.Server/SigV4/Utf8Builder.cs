using System.Buffers;
using System.Text;

namespace Citadel.Server.SigV4;

/// <summary>
/// UTF-8 text written into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, grown as needed:
/// the canonical request and string to sign are hashed as bytes, and only become strings for an error message.
/// Not for secrets: the buffer goes back to the pool without being wiped.
/// </summary>
internal ref struct Utf8Builder
{
    private byte[] _buffer;
    private int _length;

    public Utf8Builder(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Append(byte value)
    {
        Grow(1);
        _buffer[_length++] = value;
    }

    public void Append(scoped ReadOnlySpan<byte> utf8)
    {
        Grow(utf8.Length);
        utf8.CopyTo(_buffer.AsSpan(_length));
        _length += utf8.Length;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        Grow(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    public void AppendHexLower(scoped ReadOnlySpan<byte> bytes)
    {
        Grow(bytes.Length * 2);
        Convert.TryToHexStringLower(bytes, _buffer.AsSpan(_length), out var written);
        _length += written;
    }

    public override readonly string ToString() => Encoding.UTF8.GetString(Written);

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _length = 0;
    }

    private void Grow(int count)
    {
        if (_buffer.Length - _length >= count)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        Written.CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
