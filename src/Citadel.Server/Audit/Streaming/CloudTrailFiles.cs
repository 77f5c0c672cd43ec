using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Citadel.Server.Audit.Streaming;

/// <summary>
/// CloudTrail's log-file layout, as a trail delivers it to S3 (AWS CloudTrail User Guide, "CloudTrail
/// log file examples"): AWSLogs/&lt;account&gt;/CloudTrail/&lt;region&gt;/YYYY/MM/DD/
/// &lt;account&gt;_CloudTrail_&lt;region&gt;_YYYYMMDDTHHmmZ_&lt;16-character unique string&gt;.json.gz,
/// each a gzipped <c>{"Records":[…]}</c>. Used by <c>citadel audit export --format cloudtrail</c> and the audit stream.
/// </summary>
internal static class CloudTrailFiles
{
    /// <summary>The folder of the files of <paramref name="account"/> and <paramref name="region"/> for the UTC day of <paramref name="time"/>.</summary>
    public static string Folder(string root, string account, string region, DateTime time) =>
        Path.Combine(root, "AWSLogs", account, "CloudTrail", region, time.ToString("yyyy", CultureInfo.InvariantCulture), time.ToString("MM", CultureInfo.InvariantCulture), time.ToString("dd", CultureInfo.InvariantCulture));

    /// <summary>A file's name; <paramref name="unique"/> is 16 characters, as CloudTrail's.</summary>
    public static string FileName(string account, string region, DateTime time, string unique) =>
        $"{account}_CloudTrail_{region}_{time.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture)}_{unique}.json.gz";

    /// <summary>The record's awsRegion ("unknown" if it has none).</summary>
    public static string RegionOf(string record)
    {
        using var document = JsonDocument.Parse(record);
        return document.RootElement.TryGetProperty("awsRegion", out var region) ? region.GetString() ?? "unknown" : "unknown";
    }

    /// <summary>Writes <c>{"Records":[…]}</c> of the records (each already a JSON object), gzipped, to <paramref name="destination"/>.</summary>
    public static async Task WriteAsync(Stream destination, IEnumerable<string> records, CancellationToken ct)
    {
        await using var gzip = new GZipStream(destination, CompressionLevel.Optimal, leaveOpen: true);
        var text = new StringBuilder("{\"Records\":[");
        text.AppendJoin(',', records);
        text.Append("]}");
        await gzip.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), ct);
    }
}
