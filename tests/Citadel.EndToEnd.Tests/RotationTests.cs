using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

[Trait("Issue", "6")]
public sealed class RotationTests : IAsyncLifetime
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
    public async Task Automatic_rotation_happens_when_the_period_has_passed_and_moves_the_next_date()
    {
        var keyId = await CreateKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        var before = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });

        await AdvanceAsync(TimeSpan.FromDays(91));

        var rotations = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        var after = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });
        var rotation = Assert.Single(rotations.Rotations);
        Assert.Equal(RotationType.AUTOMATIC, rotation.RotationType);
        Assert.True(before.KeyRotationEnabled);
        Assert.Equal(90, after.RotationPeriodInDays);
        Assert.True(after.NextRotationDate > before.NextRotationDate!.Value.AddDays(80));
        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId });
        Assert.Equal(rotation.KeyMaterialId, described.KeyMetadata.CurrentKeyMaterialId);
    }

    [Fact]
    public async Task Enabling_rotation_with_the_default_period_schedules_it_a_year_ahead()
    {
        var keyId = await CreateKeyAsync();

        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId });

        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });
        Assert.Equal(365, status.RotationPeriodInDays);
        Assert.InRange(status.NextRotationDate!.Value, DateTime.UtcNow.AddDays(364), DateTime.UtcNow.AddDays(366));
    }

    [Fact]
    public async Task Disabling_rotation_stops_it()
    {
        var keyId = await CreateKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });

        await _kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = keyId });
        await AdvanceAsync(TimeSpan.FromDays(400));

        var rotations = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        var status = await _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });
        Assert.Empty(rotations.Rotations);
        Assert.False(status.KeyRotationEnabled);
        Assert.Null(status.NextRotationDate);
    }

    [Fact]
    public async Task Ciphertexts_of_every_version_decrypt_and_ReEncrypt_moves_them_to_the_newest()
    {
        var keyId = await CreateKeyAsync();
        var blobs = new List<MemoryStream>();
        for (var i = 0; i < 4; i++)
        {
            blobs.Add((await _kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([(byte)i]) })).CiphertextBlob);
            await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        }

        var current = (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;
        for (var i = 0; i < blobs.Count; i++)
        {
            var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blobs[i] });
            Assert.Equal([(byte)i], decrypted.Plaintext.ToArray());
            Assert.NotEqual(current, decrypted.KeyMaterialId);

            var reEncrypted = await _kms.ReEncryptAsync(new ReEncryptRequest { CiphertextBlob = blobs[i], DestinationKeyId = keyId });
            Assert.Equal(current, reEncrypted.DestinationKeyMaterialId);
            var again = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = reEncrypted.CiphertextBlob });
            Assert.Equal(current, again.KeyMaterialId);
            Assert.Equal([(byte)i], again.Plaintext.ToArray());
        }
    }

    [Fact]
    public async Task On_demand_rotation_is_limited_to_25_per_key()
    {
        var keyId = await CreateKeyAsync();
        for (var i = 0; i < 25; i++)
        {
            await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        }

        var error = await Assert.ThrowsAsync<LimitExceededException>(() => _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }));

        var rotations = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, Limit = 1000 });
        Assert.Equal(25, rotations.Rotations.Count);
        Assert.All(rotations.Rotations, r => Assert.Equal(RotationType.ON_DEMAND, r.RotationType));
        Assert.Contains("25 on-demand rotations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListKeyRotations_pages_with_Limit_and_Marker()
    {
        var keyId = await CreateKeyAsync();
        for (var i = 0; i < 5; i++)
        {
            await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        }

        var first = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, Limit = 3 });
        var second = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, Limit = 3, Marker = first.NextMarker });
        var all = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL });

        Assert.True(first.Truncated);
        Assert.Equal(3, first.Rotations.Count);
        Assert.False(second.Truncated);
        Assert.Equal(2, second.Rotations.Count);
        Assert.Equal(6, all.Rotations.Count);
        Assert.Single(all.Rotations, r => r.KeyMaterialState == KeyMaterialState.CURRENT);
    }

    [Fact]
    public async Task Rotation_of_a_disabled_key_is_refused_with_DisabledException()
    {
        var keyId = await CreateKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });

        var enable = await Assert.ThrowsAsync<DisabledException>(() => _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }));
        var onDemand = await Assert.ThrowsAsync<DisabledException>(() => _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }));

        Assert.EndsWith("is disabled.", enable.Message, StringComparison.Ordinal);
        Assert.EndsWith("is disabled.", onDemand.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_of_a_key_pending_deletion_is_refused_with_KMSInvalidStateException()
    {
        var keyId = await CreateKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });

        var enable = await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }));
        var status = await Assert.ThrowsAsync<KMSInvalidStateException>(() => _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }));

        Assert.EndsWith("is pending deletion.", enable.Message, StringComparison.Ordinal);
        Assert.EndsWith("is pending deletion.", status.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(89, "Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90")]
    [InlineData(2561, "Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560")]
    public async Task A_rotation_period_outside_90_to_2560_days_is_a_ValidationException(int days, string detail)
    {
        var keyId = await CreateKeyAsync();

        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = days }));

        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Equal($"1 validation error detected: {detail}", error.Message);
    }

    [Fact]
    public async Task A_rotation_that_fell_due_while_the_server_was_down_happens_at_start()
    {
        var keyId = await CreateKeyAsync();
        await _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = 90 });
        var store = _server.Services.GetRequiredService<Citadel.Storage.IStore>();
        var id = new Citadel.Core.Keys.KeyId(Guid.Parse(keyId));

        // Make the rotation due in the past without the running server seeing it, then restart.
        var key = (await store.GetKeyAsync(id, CancellationToken.None))!;
        await store.UpdateKeyAsync(key with { NextRotationAt = DateTimeOffset.UtcNow.AddDays(-1) }, null, CancellationToken.None);
        await _server.RestartAsync();
        using var kms = _server.Client();

        // The job's first round runs as the host starts, but on a background thread (BackgroundService in .NET 10),
        // so it may finish just after StartAsync returns.
        await Kms.EventuallyAsync(
            async () => (await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations.Count > 0,
            "the rotation job's first round rotated the key");
        var rotations = await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        for (var wait = 0; rotations.Rotations.Count == 0 && wait < 100; wait++)
        {
            await Task.Delay(50);
            rotations = await kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId });
        }

        Assert.Equal(RotationType.AUTOMATIC, Assert.Single(rotations.Rotations).RotationType);
    }

    private async Task<string> CreateKeyAsync() => (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

    private async Task AdvanceAsync(TimeSpan by)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{_server.Endpoint.TrimEnd('/')}/_citadel/dev/advance-time?by={(int)by.TotalDays}d", null);
        response.EnsureSuccessStatusCode();
    }
}
