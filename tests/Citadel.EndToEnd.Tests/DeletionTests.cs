using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Citadel.Server.Hosting;
using Citadel.Server.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// The deletion job, driven by the development clock. Each test runs its own server: advancing the clock would
/// otherwise shift the deletion dates that other tests assert.
/// </summary>
public sealed class DeletionTests : IAsyncLifetime
{
    private CitadelServer _server = null!;
    private AmazonKeyManagementServiceClient _kms = null!;

    public async Task InitializeAsync()
    {
        _server = await CitadelServer.StartAsync();
        _kms = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _kms.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_key_is_deleted_once_its_waiting_period_has_passed_and_its_ciphertexts_never_decrypt_again()
    {
        var key = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(key.KeyId, "gone soon"u8.ToArray());
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        _server.Services.GetRequiredService<DevClock>().Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        await Kms.EventuallyAsync(async () => await IsGoneAsync(key.KeyId), "the deletion job deleted the key");
        var describe = () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        await Kms.FailsAsync<NotFoundException>(describe, "NotFoundException", $"Key '{key.Arn}' does not exist");
        var decrypt = () => _kms.DecryptAsync(encrypted.CiphertextBlob);
        await Kms.FailsAsync<AmazonKeyManagementServiceException>(
            decrypt,
            "AccessDeniedException",
            "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.");
        var decryptNamingTheKey = () => _kms.DecryptAsync(encrypted.CiphertextBlob, keyId: key.KeyId);
        await Kms.FailsAsync<NotFoundException>(decryptNamingTheKey, "NotFoundException", $"Key '{key.Arn}' does not exist");
    }

    [Fact]
    public async Task Deleting_a_key_deletes_its_aliases_and_tags_and_drops_it_from_ListKeys()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Kms.Tags("team", "red") })).KeyMetadata;
        var alias = Kms.NewAliasName();
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });
        await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 30 });

        _server.Services.GetRequiredService<DevClock>().Advance(TimeSpan.FromDays(31));

        await Kms.EventuallyAsync(async () => await IsGoneAsync(key.KeyId), "the deletion job deleted the key");
        var byAlias = () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias });
        await Kms.FailsAsync<NotFoundException>(byAlias, "NotFoundException", $"Alias {Kms.AliasArn(alias)} is not found.");
        var aliases = await _kms.ListAliasesAsync(new ListAliasesRequest { Limit = 1000 });
        Assert.DoesNotContain(aliases.Aliases ?? [], a => a.AliasName == alias);
        var keys = await _kms.ListKeysAsync(new ListKeysRequest { Limit = 1000 });
        Assert.DoesNotContain(keys.Keys ?? [], k => k.KeyId == key.KeyId);
        var tags = () => _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });
        await Kms.FailsAsync<NotFoundException>(tags, "NotFoundException", $"Key '{key.Arn}' does not exist");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = (await _kms.NewKeyAsync()).KeyId });
    }

    [Fact]
    public async Task A_key_whose_waiting_period_has_not_passed_is_not_deleted()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        _server.Services.GetRequiredService<DevClock>().Advance(TimeSpan.FromDays(6));
        var deleted = await _server.Services.GetRequiredService<KeyDeletionJob>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(0, deleted);
        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal("PendingDeletion", described.KeyMetadata.KeyState.Value);
    }

    [Fact]
    public async Task A_key_whose_deletion_was_cancelled_survives_the_end_of_the_waiting_period()
    {
        var doomed = await _kms.NewKeyAsync();
        var spared = await _kms.NewKeyAsync();
        var encrypted = await _kms.EncryptAsync(spared.KeyId, "spared"u8.ToArray());
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = doomed.KeyId, PendingWindowInDays = 7 });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = spared.KeyId, PendingWindowInDays = 7 });
        await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = spared.KeyId });

        _server.Services.GetRequiredService<DevClock>().Advance(TimeSpan.FromDays(8));

        await Kms.EventuallyAsync(async () => await IsGoneAsync(doomed.KeyId), "the deletion job deleted the other key");
        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = spared.KeyId });
        var decrypted = await _kms.DecryptAsync(encrypted.CiphertextBlob);
        Assert.Equal("spared"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task A_key_scheduled_for_deletion_before_a_restart_is_deleted_by_the_restarted_server()
    {
        var key = await _kms.NewKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        // A new server process starts with a fresh development clock, so advance it after the restart.
        await _server.RestartAsync();
        _kms.Dispose();
        _kms = _server.Client();
        _server.Services.GetRequiredService<DevClock>().Advance(TimeSpan.FromDays(8));

        await Kms.EventuallyAsync(async () => await IsGoneAsync(key.KeyId), "the deletion job deleted the key after restart");
    }

    private async Task<bool> IsGoneAsync(string keyId)
    {
        try
        {
            await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId });
            return false;
        }
        catch (NotFoundException)
        {
            return true;
        }
    }
}
