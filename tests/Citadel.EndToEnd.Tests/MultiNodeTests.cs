using System.Diagnostics;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>Three nodes on one PostgreSQL database: one key space, caches that follow each other's changes, jobs that run once.</summary>
[Trait("Issue", "9")]
public sealed class MultiNodeTests : IAsyncLifetime
{
    private Cluster _cluster = null!;

    private ClusterNode A => _cluster.Nodes[0];

    private ClusterNode B => _cluster.Nodes[1];

    private ClusterNode C => _cluster.Nodes[2];

    public async Task InitializeAsync() => _cluster = await Cluster.StartAsync(3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_key_created_on_one_node_encrypts_decrypts_and_resolves_its_alias_on_the_others()
    {
        var key = await A.Kms.CreateKeyAsync(new CreateKeyRequest { Description = "shared" });
        await B.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/shared", TargetKeyId = key.KeyMetadata.KeyId });

        var encrypted = await B.Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream("hello"u8.ToArray()) });
        var decrypted = await C.Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });
        var byAlias = await A.Kms.EncryptAsync(new EncryptRequest { KeyId = "alias/shared", Plaintext = new MemoryStream("again"u8.ToArray()) });
        var described = await C.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/shared" });

        Assert.Equal("hello"u8.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal(key.KeyMetadata.Arn, byAlias.KeyId);
        Assert.Equal(key.KeyMetadata.KeyId, described.KeyMetadata.KeyId);
    }

    [Fact]
    [Trait("Issue", "4")]
    public async Task Every_node_writes_its_own_audit_chain_and_every_chain_verifies_with_nothing_lost_or_duplicated()
    {
        var key = await A.Kms.CreateKeyAsync(new CreateKeyRequest());
        var requestIds = new List<string>();
        foreach (var node in _cluster.Nodes)
        {
            for (var i = 0; i < 5; i++)
            {
                var response = await node.Kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyMetadata.KeyId, Plaintext = new MemoryStream([1]) });
                requestIds.Add(response.ResponseMetadata.RequestId);
            }
        }

        foreach (var node in _cluster.Nodes)
        {
            // Each node's queryable trail trails its journal by milliseconds; the raw store is read below.
            await node.Services.GetRequiredService<Citadel.Server.Audit.AuditWriter>().WaitIndexedAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        var store = (IAuditStore)A.Services.GetRequiredService<IStore>();
        var tools = new Citadel.Server.Audit.AuditTools(store);
        var chains = await tools.VerifyAsync(CancellationToken.None);
        var recorded = new List<string>();
        foreach (var head in await store.ListChainsAsync(CancellationToken.None))
        {
            await foreach (var record in store.ReadChainAsync(head.ChainId, 0, CancellationToken.None))
            {
                using var document = JsonDocument.Parse(record.Record);
                if (document.RootElement.TryGetProperty("requestID", out var id))
                {
                    recorded.Add(id.GetString()!);
                }
            }
        }

        Assert.Equal(3, chains.Count);
        Assert.All(chains, chain => Assert.True(chain.Intact, string.Join("; ", chain.Problems)));
        Assert.All(requestIds, id => Assert.Single(recorded, r => r == id));
    }

    [Fact]
    public async Task DisableKey_on_one_node_is_refused_for_Encrypt_on_the_others_within_one_second_and_EnableKey_likewise()
    {
        var keyId = (await A.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await EncryptAsync(B, keyId);
        await EncryptAsync(C, keyId);

        await A.Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        var disabledAfter = await Task.WhenAll(UntilAsync(B, keyId, e => e is DisabledException), UntilAsync(C, keyId, e => e is DisabledException));
        await C.Kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId });
        var enabledAfter = await Task.WhenAll(UntilAsync(A, keyId, e => e is null), UntilAsync(B, keyId, e => e is null));

        Assert.All(disabledAfter, elapsed => Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}"));
        Assert.All(enabledAfter, elapsed => Assert.True(elapsed < TimeSpan.FromSeconds(1), $"took {elapsed}"));
    }

    [Fact]
    public async Task ScheduleKeyDeletion_on_one_node_is_refused_for_Encrypt_on_the_others_within_one_second()
    {
        var keyId = (await B.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await EncryptAsync(A, keyId);
        await EncryptAsync(C, keyId);

        await B.Kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        var elapsed = await Task.WhenAll(UntilAsync(A, keyId, e => e is KMSInvalidStateException), UntilAsync(C, keyId, e => e is KMSInvalidStateException));

        Assert.All(elapsed, e => Assert.True(e < TimeSpan.FromSeconds(1), $"took {e}"));
    }

    [Fact]
    public async Task A_key_policy_changed_on_one_node_denies_Encrypt_on_the_others_within_one_second()
    {
        var keyId = (await A.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await EncryptAsync(B, keyId);
        await EncryptAsync(C, keyId);
        const string DenyEncrypt = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Principal":"*","Action":"kms:Encrypt","Resource":"*"}]}
            """;

        // PutKeyPolicy has no handler yet; this is the store change it will make, through node A.
        var keys = A.Services.GetRequiredService<KmsRuntime>().Keys;
        var key = await keys.GetAsync(KeyIdOf(keyId), CancellationToken.None);
        var changed = await keys.UpdateAsync(key!, k => k with { Policy = DenyEncrypt }, null, CancellationToken.None);
        var elapsed = await Task.WhenAll(UntilAsync(B, keyId, e => e is AmazonKeyManagementServiceException { ErrorCode: "AccessDeniedException" }), UntilAsync(C, keyId, e => e is AmazonKeyManagementServiceException { ErrorCode: "AccessDeniedException" }));

        Assert.True(changed.IsSuccess);
        Assert.All(elapsed, e => Assert.True(e < TimeSpan.FromSeconds(1), $"took {e}"));
    }

    [Fact]
    public async Task A_grant_revoked_on_one_node_is_gone_from_the_others_within_one_second()
    {
        var keyId = KeyIdOf((await A.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId);
        var grant = new GrantRecord("g1", keyId, "app", "arn:aws:iam::111122223333:role/app", null, "111122223333", ["Encrypt"], null, DateTimeOffset.UtcNow);
        Assert.Equal(StoreOutcome.Success, await A.Services.GetRequiredService<IStore>().CreateGrantAsync(grant, CancellationToken.None));
        var onB = B.Services.GetRequiredService<GrantDirectory>();
        var onC = C.Services.GetRequiredService<GrantDirectory>();
        Assert.Single(await onB.GetAsync(keyId, CancellationToken.None));
        Assert.Single(await onC.GetAsync(keyId, CancellationToken.None));

        // RevokeGrant has no handler yet; this is the store change it will make, through node A.
        await A.Services.GetRequiredService<IStore>().DeleteGrantAsync(keyId, "g1", CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();
        while ((await onB.GetAsync(keyId, CancellationToken.None)).Count + (await onC.GetAsync(keyId, CancellationToken.None)).Count > 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10);
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_due_rotation_happens_exactly_once_across_the_nodes()
    {
        var keyId = (await B.Kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await C.Kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        var holder = await _cluster.JobLockHolderAsync();

        // Every node's development clock moves by the same amount, as one clock would.
        var rotated = 0;
        foreach (var node in _cluster.Nodes)
        {
            rotated += await DevClockCalls.AdvanceAsync(node.Endpoint, "91d", "rotatedKeys");
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var rotations = await A.Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        var materials = await A.Services.GetRequiredService<IStore>().ListMaterialsAsync(KeyIdOf(keyId), CancellationToken.None);

        Assert.Contains(holder, new[] { "a", "b", "c" });
        Assert.Equal(1, rotated);
        Assert.Single(rotations.Rotations);
        Assert.Equal([1, 2], materials.Select(m => m.Version));
    }

    [Fact]
    public async Task Exactly_one_node_holds_the_job_lock_and_another_takes_it_when_it_stops()
    {
        var holder = await JobLocks.WaitForHolderAsync(_cluster.Server, _cluster.Database, h => h is not null, TimeSpan.FromSeconds(5));
        var sessions = await _cluster.Server.ScalarAsync(_cluster.Database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1129595980 AND objid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database());");

        await _cluster.Nodes.Single(n => n.Name == holder).DisposeAsync();
        var next = await JobLocks.WaitForHolderAsync(_cluster.Server, _cluster.Database, h => h is not null && h != holder, TimeSpan.FromSeconds(5));

        Assert.Equal(1L, sessions);
        Assert.NotNull(next);
        Assert.NotEqual(holder, next);
    }

    private static KeyId KeyIdOf(string keyId) => KeyId.TryParse(keyId, out var id) ? id : throw new ArgumentException(keyId);

    private static async Task EncryptAsync(ClusterNode node, string keyId) =>
        await node.Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream("x"u8.ToArray()) });

    /// <summary>Encrypts on <paramref name="node"/> until the outcome (null for success) satisfies <paramref name="done"/>; returns how long that took.</summary>
    private static async Task<TimeSpan> UntilAsync(ClusterNode node, string keyId, Func<Exception?, bool> done)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(5))
        {
            Exception? outcome = null;
            try
            {
                await EncryptAsync(node, keyId);
            }
            catch (AmazonKeyManagementServiceException exception)
            {
                outcome = exception;
            }

            if (done(outcome))
            {
                return stopwatch.Elapsed;
            }

            await Task.Delay(5);
        }

        return stopwatch.Elapsed;
    }
}
