using Amazon.Runtime;
using Citadel.Server.Identity;
using Citadel.Storage.PostgreSql;
using Citadel.Storage;
using Citadel.Tests.Postgres;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// PostgreSQL goes down under a running node (its own private server here, stopped as a crash would and
/// started again): the journal is in the database, so no event can be made durable and requests fail
/// rather than go unaudited; once the database is back the node answers again without a restart, and
/// the trail holds every acknowledged request once, in a chain that verifies.
/// </summary>
[Trait("Issue", "17")]
public sealed class AuditPostgresOutageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Requests_during_a_PostgreSQL_outage_fail_and_leave_no_event_and_after_it_every_acknowledged_request_has_one_in_a_chain_that_verifies()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        var directory = Directory.CreateTempSubdirectory("citadel-pg-outage-").FullName;
        await using var node = new ServerProcess(directory, "Warning", "--storage", "postgres", "--postgres", connectionString);
        await node.StartAsync();
        using var kms = node.Client();
        var key = await kms.NewKeyAsync();
        var acknowledged = new List<string> { (await kms.EncryptAsync(key.KeyId, [1])).ResponseMetadata.RequestId };

        postgres.Halt();
        var refused = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var failure = await Assert.ThrowsAnyAsync<AmazonServiceException>(() => kms.EncryptAsync(key.KeyId, [2]));
            Assert.True((int)failure.StatusCode >= 500, $"{failure.StatusCode}: {failure.Message}");
            refused.Add(failure.RequestId);
        }

        postgres.Resume();
        await Kms.EventuallyAsync(
            async () =>
            {
                try
                {
                    acknowledged.Add((await kms.EncryptAsync(key.KeyId, [3])).ResponseMetadata.RequestId);
                    return true;
                }
                catch (AmazonServiceException)
                {
                    return false;
                }
            },
            "an Encrypt succeeds once PostgreSQL is back",
            TimeSpan.FromSeconds(30));
        for (var i = 0; i < 5; i++)
        {
            acknowledged.Add((await kms.EncryptAsync(key.KeyId, [4])).ResponseMetadata.RequestId);
        }

        try
        {
            await TrailHoldsEveryAcknowledgedRequestAsync(connectionString, directory, acknowledged, refused);
        }
        finally
        {
            // The node's log says why when the trail falls short (journal failures, index retries, the claim).
            foreach (var line in node.Output)
            {
                output.WriteLine(line);
            }
        }

        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// PostgreSQL restarts under two nodes: the session that held the live node's claim on its chain is
    /// gone, so the other node's orphan pass (every second here) could take the chain for dead and derive
    /// it beside the node's own indexer. The live node claims it again, the other leaves it alone, and the
    /// trail holds every request the live node acknowledged, once.
    /// </summary>
    [Fact]
    public async Task After_a_PostgreSQL_restart_the_running_node_claims_its_chain_again_and_another_node_leaves_it_alone()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        var liveDirectory = Directory.CreateTempSubdirectory("citadel-pg-live-").FullName;
        var otherDirectory = Directory.CreateTempSubdirectory("citadel-pg-other-").FullName;
        string[] storage = ["--storage", "postgres", "--postgres", connectionString];
        await using var live = new ServerProcess(liveDirectory, "Warning", storage) { Environment = { ["CITADEL_Audit__OrphanIntervalForTests"] = "00:00:01" } };
        await live.StartAsync();
        File.Copy(Path.Combine(liveDirectory, "root.key"), Path.Combine(otherDirectory, "root.key"));
        await using var other = new ServerProcess(otherDirectory, "Information", storage) { Environment = { ["CITADEL_Audit__OrphanIntervalForTests"] = "00:00:01" } };
        await other.StartAsync();
        using var kms = live.Client();
        var key = await kms.NewKeyAsync();
        var acknowledged = new List<string>();
        var refused = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            acknowledged.Add((await kms.EncryptAsync(key.KeyId, [1])).ResponseMetadata.RequestId);
        }

        postgres.Halt();
        postgres.Resume();

        // Requests go on while the other node's orphan pass runs: the live chain's journal rows are ahead of its trail.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (DateTime.UtcNow < until)
        {
            try
            {
                acknowledged.Add((await kms.EncryptAsync(key.KeyId, [2])).ResponseMetadata.RequestId);
            }
            catch (AmazonServiceException failure)
            {
                refused.Add(failure.RequestId);
            }
        }

        try
        {
            output.WriteLine($"{acknowledged.Count} acknowledged, {refused.Count} refused");
            Assert.True(acknowledged.Count >= 20, $"Only {acknowledged.Count} requests were acknowledged after the restart.");
            await TrailHoldsEveryAcknowledgedRequestAsync(connectionString, liveDirectory, acknowledged, refused);
            Assert.Contains(live.Output, line => line.Contains("AuditWriter[1016]", StringComparison.Ordinal));
            Assert.DoesNotContain(other.Output, line => line.Contains("AuditWriter[1012]", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var line in live.Output.Concat(other.Output).Where(l => l.Contains("Citadel.", StringComparison.Ordinal)))
            {
                output.WriteLine(line);
            }
        }

        Directory.Delete(liveDirectory, recursive: true);
        Directory.Delete(otherDirectory, recursive: true);
    }

    private async Task TrailHoldsEveryAcknowledgedRequestAsync(string connectionString, string directory, List<string> acknowledged, List<string> refused)
    {
        await using var admin = await LocalAdmin.OpenAsync(PostgreSqlStorageProvider.Instance, new StorageLocation(directory) { ConnectionString = connectionString }, null, CancellationToken.None);
        var events = await TrailEvents.WaitForEncryptsAsync(admin, acknowledged, "the trail holds every acknowledged Encrypt");

        output.WriteLine($"{acknowledged.Count} acknowledged, {refused.Count} refused; Encrypt events: {events.Count}");
        Assert.All(acknowledged, id => Assert.Equal(1, events[id]));
        Assert.All(refused, id => Assert.False(events.ContainsKey(id), $"the refused request {id} has an event"));
        var chains = await admin.Audit.VerifyAsync(CancellationToken.None);
        Assert.All(chains, chain => Assert.True(chain.Intact, string.Join(Environment.NewLine, chain.Problems)));
    }
}
