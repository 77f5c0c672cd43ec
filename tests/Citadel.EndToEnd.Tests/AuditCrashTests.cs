using System.Text.Json;
using Citadel.Server.Identity;
using Citadel.Storage.Sqlite;
using Citadel.Storage;

namespace Citadel.EndToEnd.Tests;

[Trait("Issue", "4")]
public sealed class AuditCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <remarks>With one journal and with two stripes (the default, given explicitly so a later default does not drop the case): the killed server's interleaved journals drain into one chain.</remarks>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Killing_the_server_under_Encrypt_load_loses_no_acknowledged_event_and_the_chain_verifies_before_and_after_a_restart(int stripes)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-audit-crash-" + Guid.NewGuid().ToString("N"));
        await using var server = new ServerProcess(dataDirectory);
        server.Environment["CITADEL_Audit__JournalStripes"] = stripes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await server.StartAsync();
        IReadOnlyCollection<string> acknowledged;
        using (var kms = server.Client())
        {
            var key = await kms.NewKeyAsync();
            acknowledged = await LoadUntilKill.EncryptAsync(kms, key.KeyId, TimeSpan.FromSeconds(1.5), server.Kill);
        }

        output.WriteLine($"{acknowledged.Count} Encrypt requests acknowledged before the kill.");
        Assert.True(acknowledged.Count >= 100, $"Only {acknowledged.Count} requests were acknowledged before the kill; the load did not run.");
        // Read with the server still down: the tools move what the killed server left in its journal into the trail.
        var stored = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None))
        {
            using var writer = new StringWriter();
            await admin.Audit.ExportJsonLinesAsync(writer, null, null, CancellationToken.None);
            foreach (var line in writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var record = JsonDocument.Parse(line);
                if (record.RootElement.TryGetProperty("requestID", out var id))
                {
                    stored[id.GetString()!] = stored.GetValueOrDefault(id.GetString()!) + 1;
                }
            }

            var missing = acknowledged.Where(id => !stored.ContainsKey(id)).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged requests have no event, e.g. {missing.FirstOrDefault()}.");
            Assert.All(acknowledged, id => Assert.Equal(1, stored[id]));
            var chain = Assert.Single(await admin.Audit.VerifyAsync(CancellationToken.None));
            Assert.True(chain.Intact, string.Join(Environment.NewLine, chain.Problems));
        }

        await server.StartAsync();
        using var after = server.Client();
        var encrypted = await after.EncryptAsync((await after.NewKeyAsync()).KeyId, [1]);
        var lookup = await CloudTrail.LookupAsync(server.Endpoint, CloudTrail.Attribute("EventName", "Encrypt"));
        Assert.Equal(encrypted.ResponseMetadata.RequestId, CloudTrail.RequestId(CloudTrail.Record(lookup.Events[0])));
        server.Kill();

        // After the restart the chain went on from the killed server's last event: it verifies with the new events.
        await using (var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None))
        {
            var chain = Assert.Single(await admin.Audit.VerifyAsync(CancellationToken.None));
            Assert.True(chain.Intact, string.Join(Environment.NewLine, chain.Problems));
            Assert.Empty(chain.Gaps);
            Assert.True(chain.Records >= stored.Values.Sum() + 2, $"{chain.Records} records after the restart, {stored.Values.Sum()} before it.");
        }

        Directory.Delete(dataDirectory, recursive: true);
    }
}
