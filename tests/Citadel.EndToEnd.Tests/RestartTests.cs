using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>Everything acknowledged survives a restart on the same data directory.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private CitadelServer _server = null!;

    public async Task InitializeAsync() => _server = await CitadelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Keys_aliases_tags_states_and_ciphertexts_survive_a_restart()
    {
        KeyMetadata enabled, disabled, pending;
        MemoryStream plain, withContext, dataKeyBlob, fromDisabled;
        byte[] dataKey;
        ScheduleKeyDeletionResponse scheduled;
        var alias = Kms.NewAliasName();
        using (var kms = _server.Client())
        {
            enabled = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = "survivor", Tags = Kms.Tags("team", "red", "env", "prod") })).KeyMetadata;
            disabled = await kms.NewKeyAsync("disabled");
            pending = await kms.NewKeyAsync("pending");
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = enabled.KeyId });
            plain = (await kms.EncryptAsync(enabled.KeyId, "plain"u8.ToArray())).CiphertextBlob;
            withContext = (await kms.EncryptAsync(alias, "with context"u8.ToArray(), Kms.Context("app", "payroll"))).CiphertextBlob;
            var generated = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = enabled.KeyId, KeySpec = DataKeySpec.AES_256 });
            dataKey = generated.Plaintext.ToArray();
            dataKeyBlob = generated.CiphertextBlob;
            fromDisabled = (await kms.EncryptAsync(disabled.KeyId, "from disabled"u8.ToArray())).CiphertextBlob;
            await kms.DisableKeyAsync(new DisableKeyRequest { KeyId = disabled.KeyId });
            scheduled = await kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = pending.KeyId, PendingWindowInDays = 20 });
        }

        await _server.RestartAsync();

        using var after = _server.Client();
        var described = (await after.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata;
        Assert.Equal(enabled.KeyId, described.KeyId);
        Assert.Equal("survivor", described.Description);
        Assert.Equal("Enabled", described.KeyState.Value);
        Assert.Equal(enabled.CreationDate, described.CreationDate);
        Assert.Equal("plain"u8.ToArray(), (await after.DecryptAsync(plain)).Plaintext.ToArray());
        Assert.Equal("with context"u8.ToArray(), (await after.DecryptAsync(withContext, Kms.Context("app", "payroll"))).Plaintext.ToArray());
        Assert.Equal(dataKey, (await after.DecryptAsync(dataKeyBlob)).Plaintext.ToArray());
        var tags = await after.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = enabled.KeyId });
        Assert.Equal([("env", "prod"), ("team", "red")], tags.Tags.Select(t => (t.TagKey, t.TagValue)));
        var aliases = await after.ListAliasesAsync(new ListAliasesRequest { KeyId = enabled.KeyId });
        Assert.Equal(alias, Assert.Single(aliases.Aliases).AliasName);
        var keys = await after.ListKeysAsync(new ListKeysRequest());
        Assert.Equal(
            new[] { enabled.KeyId, disabled.KeyId, pending.KeyId }.Order(StringComparer.Ordinal),
            keys.Keys.Select(k => k.KeyId));

        var disabledAfter = (await after.DescribeKeyAsync(new DescribeKeyRequest { KeyId = disabled.KeyId })).KeyMetadata;
        Assert.Equal("Disabled", disabledAfter.KeyState.Value);
        var decryptDisabled = () => after.DecryptAsync(fromDisabled);
        await Kms.FailsAsync<DisabledException>(decryptDisabled, "DisabledException", $"{disabled.Arn} is disabled.");
        await after.EnableKeyAsync(new EnableKeyRequest { KeyId = disabled.KeyId });
        Assert.Equal("from disabled"u8.ToArray(), (await after.DecryptAsync(fromDisabled)).Plaintext.ToArray());

        var pendingAfter = (await after.DescribeKeyAsync(new DescribeKeyRequest { KeyId = pending.KeyId })).KeyMetadata;
        Assert.Equal("PendingDeletion", pendingAfter.KeyState.Value);
        Assert.Equal(20, pendingAfter.PendingDeletionWindowInDays);
        Assert.Equal(scheduled.DeletionDate, pendingAfter.DeletionDate);
    }

    [Fact]
    public async Task A_key_created_after_a_restart_works_next_to_the_old_ones()
    {
        using (var kms = _server.Client())
        {
            await kms.NewKeyAsync();
        }

        await _server.RestartAsync();

        using var after = _server.Client();
        var key = await after.NewKeyAsync();
        var encrypted = await after.EncryptAsync(key.KeyId, "new"u8.ToArray());
        Assert.Equal("new"u8.ToArray(), (await after.DecryptAsync(encrypted.CiphertextBlob)).Plaintext.ToArray());
        var keys = await after.ListKeysAsync(new ListKeysRequest());
        Assert.Equal(2, keys.Keys.Count);
    }

    [Fact]
    public async Task The_development_credentials_still_work_after_a_restart()
    {
        await _server.RestartAsync();

        using var kms = _server.Client();
        var random = await kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 8 });

        Assert.Equal(8, random.Plaintext.Length);
    }
}
