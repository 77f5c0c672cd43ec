using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using Citadel.Server.Identity;
using Citadel.Storage.Sqlite;
using Citadel.Storage;

namespace Citadel.EndToEnd.Tests;

/// <summary>`citadel serve --audit-stream DIR`: the trail written as it happens to CloudTrail-layout files.</summary>
[Trait("Issue", "22")]
public sealed class AuditStreamTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_server_killed_mid_stream_and_restarted_leaves_every_event_of_the_trail_in_the_files_exactly_once()
    {
        var root = Path.Combine(Path.GetTempPath(), "citadel-stream-e2e-" + Guid.NewGuid().ToString("N"));
        var dataDirectory = Path.Combine(root, "data");
        var sink = Path.Combine(root, "sink");
        await using var server = new ServerProcess(dataDirectory, "Warning", "--audit-stream", sink);
        await server.StartAsync();
        var acknowledged = new ConcurrentBag<string>();
        using (var kms = server.Client())
        {
            var key = await kms.NewKeyAsync();
            var stop = 0;
            var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                for (var n = 0; Volatile.Read(ref stop) == 0; n++)
                {
                    try
                    {
                        acknowledged.Add((await kms.EncryptAsync(key.KeyId, [(byte)worker, (byte)n])).ResponseMetadata.RequestId);
                    }
                    catch (Exception) when (Volatile.Read(ref stop) == 1)
                    {
                        return;
                    }
                }
            })).ToList();

            // Long enough for files to be written (a file a second in development), then killed mid-stream.
            await Task.Delay(2500);
            Assert.NotEmpty(StreamedEvents(sink));
            Volatile.Write(ref stop, 1);
            server.Kill();
            await Task.WhenAll(load);
        }

        await server.StartAsync();
        string last;
        using (var kms = server.Client())
        {
            last = (await kms.EncryptAsync((await kms.NewKeyAsync()).KeyId, [1])).ResponseMetadata.RequestId;
        }

        // The stream writes in sequence order: once the last request's event is in a file, so is everything before it.
        var deadline = DateTime.UtcNow + CatchUpLimit;
        while (!StreamedEvents(sink).Any(e => e.RequestId == last) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        server.Kill();
        var streamed = StreamedEvents(sink);
        var trail = new List<string>();
        await using (var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None))
        {
            using var writer = new StringWriter();
            await admin.Audit.ExportJsonLinesAsync(writer, null, null, CancellationToken.None);
            foreach (var line in writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var record = JsonDocument.Parse(line);
                trail.Add(record.RootElement.GetProperty("eventID").GetString()!);
            }
        }

        output.WriteLine($"{acknowledged.Count} requests acknowledged before the kill; {trail.Count} events in the trail; {streamed.Count} in {Directory.GetFiles(sink, "*.json.gz", SearchOption.AllDirectories).Length} files.");
        Assert.Contains(streamed, e => e.RequestId == last);
        var duplicates = streamed.GroupBy(e => e.EventId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} events are in more than one file, e.g. {duplicates.FirstOrDefault()}.");
        Assert.Equal(trail.Order(StringComparer.Ordinal), streamed.Select(e => e.EventId).Order(StringComparer.Ordinal));
        Assert.All(acknowledged, id => Assert.Contains(streamed, e => e.RequestId == id));
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task A_stream_directory_that_cannot_be_written_is_said_in_one_log_line_while_requests_are_served_and_it_catches_up_once_fixed()
    {
        var root = Path.Combine(Path.GetTempPath(), "citadel-stream-blocked-" + Guid.NewGuid().ToString("N"));
        var sink = Path.Combine(root, "sink");
        Directory.CreateDirectory(sink);
        // A file where the stream's folder must go: no permission bits stop root, this stops everyone.
        var blocker = Path.Combine(sink, "AWSLogs");
        await File.WriteAllTextAsync(blocker, "in the way");
        await using var server = new ServerProcess(Path.Combine(root, "data"), "Warning", "--audit-stream", sink);
        await server.StartAsync();
        using var kms = server.Client();

        var key = await kms.NewKeyAsync();
        var requests = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            requests.Add((await kms.EncryptAsync(key.KeyId, [(byte)i])).ResponseMetadata.RequestId);
            await Task.Delay(1000);
        }

        var stopped = server.Output.Where(line => line.Contains("The audit stream to", StringComparison.Ordinal)).ToList();
        File.Delete(blocker);
        var deadline = DateTime.UtcNow + CatchUpLimit;
        while (!requests.All(id => StreamedEvents(sink).Any(e => e.RequestId == id)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var line = Assert.Single(stopped);
        Assert.Contains($"The audit stream to {sink} is stopped: ", line, StringComparison.Ordinal);
        Assert.Contains("It retries by itself", line, StringComparison.Ordinal);
        Assert.All(requests, id => Assert.Contains(StreamedEvents(sink), e => e.RequestId == id));
        server.Kill();
        Directory.Delete(root, recursive: true);
    }

    private sealed record Streamed(string EventId, string? RequestId);

    private static List<Streamed> StreamedEvents(string sink)
    {
        var events = new List<Streamed>();
        if (!Directory.Exists(sink))
        {
            return events;
        }

        foreach (var file in Directory.GetFiles(sink, "*.json.gz", SearchOption.AllDirectories))
        {
            using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            using var document = JsonDocument.Parse(gzip);
            foreach (var record in document.RootElement.GetProperty("Records").EnumerateArray())
            {
                events.Add(new Streamed(record.GetProperty("eventID").GetString()!, CloudTrail.RequestId(record)));
            }
        }

        return events;
    }
}
