using Amazon.KeyManagementService.Model;
using Citadel.Tests.Postgres;

namespace Citadel.EndToEnd.Tests;

/// <summary>`citadel serve --storage postgres` processes on one database: the job lock holder is killed (SIGKILL) and another node takes the jobs over.</summary>
[Trait("Issue", "9")]
public sealed class JobFailoverTests : IAsyncLifetime
{
    private readonly List<ServerProcess> _nodes = [];
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("citadel-failover-").FullName;
    private PostgresServer _server = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.SharedAsync();
        _database = "f_" + Guid.NewGuid().ToString("N");
        var connectionString = await _server.CreateDatabaseAsync(_database);
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(new ServerProcess(_dataDirectory, "Warning", "--storage", "postgres", "--postgres", connectionString + $";Application Name=p{i}"));
        }

        await Task.WhenAll(_nodes.Select(n => n.StartAsync()));
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Killing_the_node_that_holds_the_job_lock_moves_the_jobs_to_another_node()
    {
        var holder = await JobLocks.WaitForHolderAsync(_server, _database, h => h is not null, TimeSpan.FromSeconds(10));
        Assert.NotNull(holder);
        var victim = _nodes[int.Parse(holder[1..], System.Globalization.CultureInfo.InvariantCulture)];
        var survivors = _nodes.Where(n => n != victim).ToList();
        using var kms = survivors[0].Client();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });

        victim.Kill();
        var next = await JobLocks.WaitForHolderAsync(_server, _database, h => h is not null && h != holder, TimeSpan.FromSeconds(10));
        var rotated = 0;
        foreach (var node in survivors)
        {
            rotated += await DevClockCalls.AdvanceAsync(node.Endpoint, "91d", "rotatedKeys");
        }

        var rotations = await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        Assert.NotNull(next);
        Assert.NotEqual(holder, next);
        Assert.Equal(1, rotated);
        Assert.Single(rotations.Rotations);
    }
}
