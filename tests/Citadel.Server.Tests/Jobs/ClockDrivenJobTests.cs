using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;
using Citadel.Server.Hosting;
using Citadel.Server.Jobs;
using Citadel.Server.Kms;
using Citadel.Storage.Sqlite;
using Citadel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Citadel.Server.Tests.Jobs;

/// <summary>
/// Deletion, rotation and import expiry in-process: a server on SQLite whose clock is a
/// <see cref="FakeTimeProvider"/>, moved the way the development clock moves (the jobs' rounds held).
/// </summary>
[Trait("Issue", "18")]
public sealed class ClockDrivenJobTests : IAsyncLifetime
{
    private const string Account = "111122223333";
    private const string Region = "us-east-1";

    private readonly string _directory = Directory.CreateTempSubdirectory("citadel-jobs-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private WebApplication _app = null!;

    private KmsRuntime Kms => _app.Services.GetRequiredService<KmsRuntime>();

    private static CancellationToken Ct => CancellationToken.None;

    public async Task InitializeAsync()
    {
        var settings = new ServerSettings
        {
            Storage = SqliteStorageProvider.Instance,
            DataDirectory = _directory,
            Listen = "127.0.0.1:0",
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        _app = await CitadelHost.BuildAsync(settings, services => services.AddSingleton<TimeProvider>(_time));
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_key_scheduled_for_deletion_in_7_days_is_there_after_6_days_and_deleted_after_7()
    {
        var key = await CreateAsync(k => KeyStateRules.ScheduleDeletion(k, 7, _time.GetUtcNow()).Value);

        var early = await AdvanceAsync(TimeSpan.FromDays(6));
        var stillThere = await Kms.Store.GetKeyAsync(key.Id, Ct);
        var due = await AdvanceAsync(TimeSpan.FromDays(1));

        Assert.Equal([0, 0, 0], early);
        Assert.Equal(KeyState.PendingDeletion, stillThere?.State);
        Assert.Equal([0, 1, 0], due);
        Assert.Null(await Kms.Store.GetKeyAsync(key.Id, Ct));
    }

    [Fact]
    public async Task A_key_with_a_90_day_rotation_period_rotates_once_on_day_90_and_is_due_again_90_days_later()
    {
        var created = _time.GetUtcNow();
        var key = await CreateAsync(k => k with { RotationEnabled = true, RotationPeriodInDays = 90, NextRotationAt = created.AddDays(90) });

        var early = await AdvanceAsync(TimeSpan.FromDays(89));
        var due = await AdvanceAsync(TimeSpan.FromDays(1));
        var rotated = await Kms.Store.GetKeyAsync(key.Id, Ct);
        var materials = await Kms.Store.ListMaterialsAsync(key.Id, Ct);

        Assert.Equal([0, 0, 0], early);
        Assert.Equal([1, 0, 0], due);
        Assert.Equal(2, rotated?.CurrentMaterialVersion);
        Assert.Equal(created.AddDays(180), rotated?.NextRotationAt);
        Assert.Equal([1, 2], materials.Select(m => m.Version));
    }

    [Fact]
    public async Task Imported_material_valid_for_2_hours_is_kept_for_1_hour_and_deleted_after_2_leaving_the_key_PendingImport()
    {
        var validTo = _time.GetUtcNow().AddHours(2);
        var key = await CreateAsync(k => k with { Origin = KeyOrigin.External }, m => m with
        {
            ImportState = MaterialImportState.Imported,
            ExpirationModel = ExpirationModel.KeyMaterialExpires,
            ValidTo = validTo,
        });

        var early = await AdvanceAsync(TimeSpan.FromHours(1));
        var due = await AdvanceAsync(TimeSpan.FromHours(1));
        var expired = await Kms.Store.GetKeyAsync(key.Id, Ct);
        var material = Assert.Single(await Kms.Store.ListMaterialsAsync(key.Id, Ct));

        Assert.Equal([0, 0, 0], early);
        Assert.Equal([0, 0, 1], due);
        Assert.Equal(KeyState.PendingImport, expired?.State);
        Assert.Equal(MaterialImportState.PendingImport, material.ImportState);
        Assert.Empty(material.EncryptedMaterial);
    }

    /// <summary>Moves the clock as the development clock endpoint does; returns what rotation, deletion and expiry changed.</summary>
    private async Task<int[]> AdvanceAsync(TimeSpan by) =>
        await ClockJob.AdvanceAsync(
            [_app.Services.GetRequiredService<KeyRotationJob>(), _app.Services.GetRequiredService<KeyDeletionJob>(), _app.Services.GetRequiredService<ImportExpiryJob>()],
            () => _time.Advance(by),
            Ct);

    /// <summary>An enabled symmetric key with one version of material, shaped by <paramref name="shape"/> before it is stored.</summary>
    private async Task<KeyRecord> CreateAsync(Func<KeyRecord, KeyRecord> shape, Func<KeyMaterialRecord, KeyMaterialRecord>? shapeMaterial = null)
    {
        var now = _time.GetUtcNow();
        var key = shape(new KeyRecord
        {
            Id = KeyId.New(),
            AccountId = Account,
            Region = Region,
            CreatedAt = now,
            State = KeyState.Enabled,
            Description = "",
            Manager = KeyManager.Customer,
            Policy = DefaultKeyPolicy.For(Account),
            CurrentMaterialVersion = 1,
            CurrentKeyMaterialId = MaterialProtector.NewMaterialId(),
        });
        var sealedMaterial = MaterialProtector.Protect(Kms.Seal, key.Arn, 1, RandomNumberGenerator.GetBytes(32));
        var material = new KeyMaterialRecord(key.Id, 1, key.CurrentKeyMaterialId, sealedMaterial, now, MaterialOrigin.Created);

        Assert.Equal(StoreOutcome.Success, await Kms.Keys.CreateAsync(key, shapeMaterial?.Invoke(material) ?? material, [], Ct));
        return key;
    }
}
