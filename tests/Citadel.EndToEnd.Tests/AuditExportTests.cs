using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using Citadel.Server.Identity;
using Citadel.Storage.Sqlite;
using Citadel.Storage;
using Microsoft.Data.Sqlite;

namespace Citadel.EndToEnd.Tests;

public sealed partial class AuditExportTests
{
    [Fact]
    public async Task Export_in_cloudtrail_format_writes_every_event_once_in_CloudTrails_layout()
    {
        var root = Path.Combine(Path.GetTempPath(), "citadel-export-" + Guid.NewGuid().ToString("N"));
        var dataDirectory = Path.Combine(root, "data");
        await using (var server = await CitadelServer.StartAsync(dataDirectory))
        {
            using var kms = server.Client();
            var key = await kms.NewKeyAsync();
            for (var i = 0; i < 3; i++)
            {
                await kms.EncryptAsync(key.KeyId, [(byte)i]);
            }
        }

        var trail = new List<string>();
        var output = Path.Combine(root, "export");
        await using (var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None))
        {
            using var lines = new StringWriter();
            await admin.Audit.ExportJsonLinesAsync(lines, null, null, CancellationToken.None);
            trail.AddRange(lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("eventID").GetString()!));

            await admin.Audit.ExportCloudTrailAsync(output, null, null, CancellationToken.None);
        }

        var files = Directory.GetFiles(output, "*.json.gz", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.Matches(Layout(), Path.GetRelativePath(output, file)));
        var exported = files.SelectMany(file =>
        {
            using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            using var document = JsonDocument.Parse(gzip);
            return document.RootElement.GetProperty("Records").EnumerateArray().Select(r => r.GetProperty("eventID").GetString()!).ToList();
        });
        Assert.Equal(4, trail.Count);
        Assert.Equal(trail.Order(StringComparer.Ordinal), exported.Order(StringComparer.Ordinal));
        SqliteConnection.ClearAllPools();
        Directory.Delete(root, recursive: true);
    }

    [GeneratedRegex(@"^AWSLogs/111122223333/CloudTrail/us-east-1/\d{4}/\d{2}/\d{2}/111122223333_CloudTrail_us-east-1_\d{8}T\d{4}Z_[0-9a-f]{16}\.json\.gz$")]
    private static partial Regex Layout();
}
