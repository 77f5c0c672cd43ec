using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.EndToEnd.Tests.Import;
using Citadel.Server.Audit;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>Two nodes on one PostgreSQL database: every clock-driven job runs on the node that holds the job lock, and only there.</summary>
[Trait("Issue", "18")]
public sealed class ClusterJobTests : IAsyncLifetime
{
    private Cluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Expired_imported_material_is_deleted_by_the_job_lock_holder_alone_with_one_DeleteExpiredKeyMaterial_event()
    {
        var holderName = await JobLocks.WaitForHolderAsync(_cluster.Server, _cluster.Database, h => h is not null, TimeSpan.FromSeconds(10));
        var holder = _cluster.Nodes.Single(n => n.Name == holderName);
        var other = _cluster.Nodes.Single(n => n.Name != holderName);
        var key = await other.Kms.NewExternalKeyAsync();
        await other.Kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), configure: r =>
        {
            r.ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES;
            r.ValidTo = DateTime.UtcNow.AddHours(2);
        });

        // Every node's development clock moves by the same amount, as one clock would; the node
        // without the lock goes first, so it would be the one to act if it ran the job.
        var expiredByOther = await DevClockCalls.AdvanceAsync(other.Endpoint, "3h", "expiredKeyMaterials");
        var expiredByHolder = await DevClockCalls.AdvanceAsync(holder.Endpoint, "3h", "expiredKeyMaterials");
        var events = await DeleteExpiredKeyMaterialEventsAsync(key.Arn);
        var described = (await other.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;

        Assert.Equal(0, expiredByOther);
        Assert.Equal(1, expiredByHolder);
        Assert.Equal(1, events);
        Assert.Equal(KeyState.PendingImport, described.KeyState);
    }

    private async Task<int> DeleteExpiredKeyMaterialEventsAsync(string keyArn)
    {
        foreach (var node in _cluster.Nodes)
        {
            await node.Services.GetRequiredService<AuditWriter>().WaitIndexedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        var (records, _) = await _cluster.Nodes[0].Services.GetRequiredService<IAuditStore>().LookupAsync(
            new AuditQuery(Kms.Account, null, null, AuditLookupKey.EventName, "DeleteExpiredKeyMaterial", 50, null),
            CancellationToken.None);
        return records.Count(r => r.Record.Contains(keyArn, StringComparison.Ordinal));
    }
}
