using System.Text.Json;
using Citadel.Server.Identity;

namespace Citadel.EndToEnd.Tests;

/// <summary>What a node's audit trail holds, read as an operator would: the export.</summary>
internal static class TrailEvents
{
    /// <summary>
    /// Waits (up to 30 s) until the trail of the PostgreSQL database holds an Encrypt event for each of
    /// <paramref name="acknowledged"/>, and returns how many it holds for each request id.
    /// </summary>
    public static async Task<Dictionary<string, int>> WaitForEncryptsAsync(LocalAdmin admin, IEnumerable<string> acknowledged, string what)
    {
        var events = new Dictionary<string, int>();
        await Kms.EventuallyAsync(
            async () =>
            {
                events = await EncryptsAsync(admin);
                return acknowledged.All(events.ContainsKey);
            },
            what,
            TimeSpan.FromSeconds(30));
        return events;
    }

    /// <summary>How many Encrypt events the trail holds for each request id.</summary>
    public static async Task<Dictionary<string, int>> EncryptsAsync(LocalAdmin admin)
    {
        var events = new Dictionary<string, int>(StringComparer.Ordinal);
        using var writer = new StringWriter();
        await admin.Audit.ExportJsonLinesAsync(writer, null, null, CancellationToken.None);
        foreach (var line in writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var record = JsonDocument.Parse(line);
            if (record.RootElement.GetProperty("eventName").GetString() == "Encrypt")
            {
                var id = record.RootElement.GetProperty("requestID").GetString()!;
                events[id] = events.GetValueOrDefault(id) + 1;
            }
        }

        return events;
    }
}
