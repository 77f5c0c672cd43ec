using System.Net;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Audit;
using Citadel.Server.Identity;
using Citadel.Storage;
using Citadel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// A failed fdatasync of the audit journal (an I/O error) under a real server: its AuditWriter is
/// registered again with <see cref="AuditWriter.SyncFault"/> set, as <see cref="FaultyStore"/> replaces the
/// store; no configuration of the server can set it.
/// </summary>
[Trait("Issue", "17")]
public sealed class AuditSyncFailureTests
{
    private const int Eio = 5;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task An_Encrypt_whose_journal_sync_fails_answers_500_the_node_is_not_ready_until_the_next_request_succeeds_without_a_restart_and_the_trail_records_the_gap()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "citadel-syncfail-" + Guid.NewGuid().ToString("N"));
        var failNext = 0;
        var log = new CapturedLog();
        var server = await CitadelServer.StartAsync(dataDirectory, services: services =>
        {
            // The next sync of a journal holding events fails as fdatasync does on an I/O error.
            services.AddSingleton(sp => new AuditWriter(
                sp.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail), sp.GetRequiredService<AuditOptions>(), sp.GetRequiredService<ILogger<AuditWriter>>(), sp.GetService<IAuditJournalStore>())
            {
                SyncFault = journal => journal.HasFrames && Interlocked.Exchange(ref failNext, 0) == 1 ? Eio : 0,
            });
            log.Register(services);
        });
        string keyId;
        string[] acknowledged;
        string failedId;
        try
        {
            using var kms = server.Client();
            keyId = (await kms.NewKeyAsync()).KeyId;
            var before = await kms.EncryptAsync(keyId, [1]);
            Volatile.Write(ref failNext, 1);

            var failed = await Assert.ThrowsAsync<KMSInternalException>(() => kms.EncryptAsync(keyId, [2]));

            failedId = failed.RequestId;
            Assert.Equal(500, (int)failed.StatusCode);
            Assert.Equal($"An internal error occurred. Request id: {failed.RequestId}", failed.Message);
            var unavailable = await ReadyAsync(server.Endpoint, HttpStatusCode.ServiceUnavailable);
            Assert.StartsWith("the audit journal could not be written: Input/output error (fdatasync of the audit journal ", unavailable.GetProperty("checks").GetProperty("audit").GetString(), StringComparison.Ordinal);

            // No restart: the next request's event goes to a new journal.
            var after = await kms.EncryptAsync(keyId, [3]);

            Assert.Null(server.Services.GetRequiredService<AuditWriter>().Unavailable);
            await ReadyAsync(server.Endpoint, HttpStatusCode.OK);
            acknowledged = [before.ResponseMetadata.RequestId, after.ResponseMetadata.RequestId];
            var encrypts = await CloudTrail.LookupAllAsync(server.Endpoint, CloudTrail.Attribute("EventName", "Encrypt"));
            Assert.Equal(acknowledged.Order(StringComparer.Ordinal), encrypts.Select(e => CloudTrail.RequestId(CloudTrail.Record(e))).Order(StringComparer.Ordinal));
            Assert.Single(log.Entries, e => e.Level >= LogLevel.Error && e.EventId == 1010);
            Assert.Single(log.Entries, e => e.EventId == 1014);
        }
        finally
        {
            await server.StopAsync();
        }

        // `citadel audit verify`: intact, with the failed request's event as a recorded gap.
        await using (var admin = await LocalAdmin.OpenAsync(SqliteStorageProvider.Instance, new StorageLocation(dataDirectory), null, CancellationToken.None))
        {
            using var writer = new StringWriter();
            await admin.Audit.ExportJsonLinesAsync(writer, null, null, CancellationToken.None);
            var records = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            var gap = Assert.Single(records, r => r.GetProperty("eventName").GetString() == "AuditGap");
            Assert.DoesNotContain(records, r => CloudTrail.RequestId(r) == failedId);
            var lost = gap.GetProperty("additionalEventData").GetProperty("lostFirstSequence").GetInt64();
            Assert.Equal(lost, gap.GetProperty("additionalEventData").GetProperty("lostLastSequence").GetInt64());
            var chain = Assert.Single(await admin.Audit.VerifyAsync(CancellationToken.None));
            Assert.True(chain.Intact, string.Join(Environment.NewLine, chain.Problems));
            Assert.StartsWith($"record {lost} was lost: event {lost} was not made durable (the audit journal's write or commit failed, or the node stopped first), so its request was not carried out", Assert.Single(chain.Gaps), StringComparison.Ordinal);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dataDirectory, recursive: true);
    }

    /// <summary>/health/ready once it answers <paramref name="status"/> (its answer is cached for a moment): the body.</summary>
    internal static async Task<JsonElement> ReadyAsync(string endpoint, HttpStatusCode status)
    {
        JsonElement body = default;
        await Kms.EventuallyAsync(
            async () =>
            {
                using var response = await Http.GetAsync($"{endpoint}/health/ready");
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                body = document.RootElement.Clone();
                return response.StatusCode == status;
            },
            $"/health/ready answers {(int)status}");
        return body;
    }
}
