using System.Buffers;
using System.IO.Pipelines;

namespace Citadel.Server.Protocol;

/// <summary>Reads a request body whole, up to a limit, for every protocol the endpoint speaks (JSON and query).</summary>
internal static class RequestBody
{
    /// <summary>
    /// The body in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it; null for an empty
    /// body), or TooLarge as soon as its Content-Length or the bytes received pass <paramref name="limit"/>.
    /// </summary>
    public static async ValueTask<(byte[]? Buffer, int Length, bool TooLarge)> ReadAsync(PipeReader reader, long? contentLength, int limit, CancellationToken ct)
    {
        if (contentLength > limit)
        {
            return (null, 0, true);
        }

        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return (null, 0, true);
            }

            if (result.IsCompleted)
            {
                if (buffer.Length == 0)
                {
                    reader.AdvanceTo(buffer.End);
                    return (null, 0, false);
                }

                var length = (int)buffer.Length;
                var rented = ArrayPool<byte>.Shared.Rent(length);
                buffer.CopyTo(rented);
                reader.AdvanceTo(buffer.End);
                return (rented, length, false);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
