using Citadel.Server.Identity;
using Citadel.Storage.PostgreSql;
using Citadel.Storage;
using Citadel.Tests.Postgres;

namespace Citadel.EndToEnd.Tests;

/// <summary>On PostgreSQL the audit journal is in the shared database: a node's disk holds no acknowledged event.</summary>
[Trait("Issue", "17")]
public sealed class AuditClusterCrashTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_node_killed_under_load_with_its_data_directory_removed_loses_no_acknowledged_event_and_another_node_derives_them_into_a_chain_that_verifies()
    {
        var postgres = await PostgresServer.SharedAsync();
        var connectionString = await postgres.CreateDatabaseAsync();
        var survivorDirectory = Directory.CreateTempSubdirectory("citadel-survivor-").FullName;
        var victimDirectory = Directory.CreateTempSubdirectory("citadel-victim-").FullName;
        string[] storage = ["--storage", "postgres", "--postgres", connectionString];
        await using var survivor = new ServerProcess(survivorDirectory, "Warning", storage);
        await survivor.StartAsync();

        // The nodes share the root key (in production: the HSM); nothing else of the victim's disk survives it.
        File.Copy(Path.Combine(survivorDirectory, "root.key"), Path.Combine(victimDirectory, "root.key"));
        await using var victim = new ServerProcess(victimDirectory, "Warning", storage);
        await victim.StartAsync();
        IReadOnlyCollection<string> acknowledged;
        using (var kms = victim.Client())
        {
            var key = await kms.NewKeyAsync();
            await kms.EncryptAsync(key.KeyId, [0]);
            acknowledged = await LoadUntilKill.EncryptAsync(kms, key.KeyId, TimeSpan.FromSeconds(3), victim.Kill);
        }

        Directory.Delete(victimDirectory, recursive: true);
        output.WriteLine($"{acknowledged.Count} Encrypt requests acknowledged before the kill.");
        Assert.True(acknowledged.Count >= 20, $"Only {acknowledged.Count} requests were acknowledged before the kill; the load did not run.");

        // A node that starts derives the chains dead nodes left (the survivor would, within 30 s).
        await using var next = new ServerProcess(survivorDirectory, "Warning", storage);
        await next.StartAsync();
        await using var admin = await LocalAdmin.OpenAsync(PostgreSqlStorageProvider.Instance, new StorageLocation(survivorDirectory) { ConnectionString = connectionString }, null, CancellationToken.None);
        var stored = await TrailEvents.WaitForEncryptsAsync(admin, acknowledged, "the trail holds every Encrypt the killed node acknowledged");

        Assert.All(acknowledged, id => Assert.Equal(1, stored[id]));
        var chains = await admin.Audit.VerifyAsync(CancellationToken.None);
        Assert.All(chains, chain => Assert.True(chain.Intact, string.Join(Environment.NewLine, chain.Problems)));
        Assert.Equal(0L, await postgres.ScalarAsync(new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!, "SELECT count(*) FROM audit_journal j LEFT JOIN audit_chains c ON c.chain_id = j.chain_id WHERE j.last_seq > COALESCE(c.head_seq, 0);"));
        Directory.Delete(survivorDirectory, recursive: true);
    }
}
