using System.Text.Json;

namespace Citadel.Server.Protocol;

/// <summary>AWS JSON 1.1 value encodings: timestamps as epoch seconds, blobs as base64.</summary>
internal static class JsonWriterExtensions
{
    public static void WriteEpochSeconds(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset time) =>
        writer.WriteNumber(name, time.ToUnixTimeMilliseconds() / 1000.0);
}
