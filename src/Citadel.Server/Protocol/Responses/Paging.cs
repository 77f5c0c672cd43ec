using System.Text.Json;

namespace Citadel.Server.Protocol.Responses;

/// <summary>The paging members of a listing: NextMarker (opaque to clients) when there is more, and Truncated.</summary>
internal static class Paging
{
    public static void Write(Utf8JsonWriter json, string? nextMarker)
    {
        if (nextMarker is not null)
        {
            json.WriteString("NextMarker"u8, nextMarker);
        }

        json.WriteBoolean("Truncated"u8, nextMarker is not null);
    }
}
