using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Seal;
using Citadel.Server.SigV4;
using Citadel.Storage;
using Citadel.Storage.Sqlite;

namespace Citadel.Server.Tests.Seal;

/// <summary>`citadel rekey`: every sealed secret re-wrapped under a new root key, resumable, and between seals.</summary>
#pragma warning disable CA1001 // The store is disposed in IAsyncLifetime.DisposeAsync, which xUnit calls.
[Collection("softhsm")]
[Trait("Issue", "22")]
public sealed class RekeyTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const string Account = "111122223333";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-rekey-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<(KeyId Key, int Version), (string Arn, byte[] Material)> _materials = [];
    private SqliteStore _store = null!;

    private string RootKey => Path.Combine(_directory, "root.key");

    private static CancellationToken Ct => CancellationToken.None;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _store = new SqliteStore(Path.Combine(_directory, "citadel.db"));
        await _store.MigrateAsync(Ct);
        var (seal, _) = await RootKeyCheck.OpenAsync(_store, "test", _directory, null, null, start: true, TimeProvider.System, Ct);
        using (seal)
        {
            await _store.CreateAccountAsync(Account, DateTimeOffset.UnixEpoch, Ct);
            await _store.PutAccessKeyAsync(new AccessKeyRecord("AKIDREKEY", Account, $"arn:aws:iam::{Account}:root", PrincipalType.Root, Account, SecretSeal.Seal(seal, "AKIDREKEY", "secret"), DateTimeOffset.UnixEpoch), Ct);
            await AddKeysAsync(seal, 3);
        }
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_rekey_rewraps_every_material_version_and_access_key_secret_under_a_new_key_file_that_replaces_the_old()
    {
        var old = await File.ReadAllBytesAsync(RootKey);

        await RekeyRunner.RunAsync(new RekeyRequest(_directory, null, null, null, null, null, null), SqliteStorageProvider.Instance, TextWriter.Null, Ct);

        var now = await File.ReadAllBytesAsync(RootKey);
        Assert.NotEqual(old, now);
        Assert.Equal(old, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(_directory, "root.key.retired-*"))));
        Assert.False(File.Exists(RootKey + ".next"));
        Assert.Null(await _store.GetRootKeyRotationAsync(Ct));
        using var newSeal = new AesGcmSeal(now);
        using var oldSeal = new AesGcmSeal(old);
        await AssertEverySecretOpensAsync(newSeal, oldSeal);
        Assert.True(RootKeyCheck.Proves(newSeal, (await _store.GetRootKeyCheckAsync(Ct))!));
    }

    [Fact]
    public async Task A_rekey_cancelled_half_way_leaves_each_secret_under_one_of_the_two_keys_and_a_second_run_finishes_it()
    {
        var old = await File.ReadAllBytesAsync(RootKey);
        using (var seal = new AesGcmSeal(old))
        {
            await AddKeysAsync(seal, 250);
        }

        using var stop = new CancellationTokenSource();
        var cancelling = new CancelOnProgress(stop);
        var (configured, _) = await RootKeyCheck.OpenAsync(_store, "test", _directory, null, null, start: false, TimeProvider.System, Ct, withRotation: false);
        var plan = new RekeyPlan(RekeyTarget.File(RootKey + ".next"), create => FileSeal.OpenOrCreate(RootKey + ".next", out _), RootKey);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new Rekeyer(_store, configured, cancelling, TimeProvider.System) { Grace = TimeSpan.Zero }.RunAsync(plan, stop.Token));

        var next = await File.ReadAllBytesAsync(RootKey + ".next");
        using (var newSeal = new AesGcmSeal(next))
        using (var oldSeal = new AesGcmSeal(old))
        {
            var (underNew, underOld) = await CountAsync(newSeal, oldSeal);
            Assert.True(underNew > 0 && underOld > 0, $"{underNew} under the new key, {underOld} under the old");
            Assert.Equal(_materials.Count + 1, underNew + underOld);
        }

        Assert.NotNull(await _store.GetRootKeyRotationAsync(Ct));
        var rewrapped = await new Rekeyer(_store, configured, TextWriter.Null, TimeProvider.System) { Grace = TimeSpan.Zero }.RunAsync(plan, Ct);
        configured.Dispose();

        Assert.InRange(rewrapped, 1, _materials.Count);
        Assert.Equal(next, await File.ReadAllBytesAsync(RootKey));
        using var finalSeal = new AesGcmSeal(next);
        using var retired = new AesGcmSeal(old);
        await AssertEverySecretOpensAsync(finalSeal, retired);
        Assert.Null(await _store.GetRootKeyRotationAsync(Ct));
    }

    [Fact]
    public async Task A_rekey_moves_every_secret_from_a_key_file_to_a_PKCS11_key_and_back()
    {
        using var hsm = new SoftHsm();
        var old = await File.ReadAllBytesAsync(RootKey);
        var backFile = Path.Combine(_directory, "back.key");

        await RekeyRunner.RunAsync(new RekeyRequest(_directory, null, null, null, "pkcs11", null, hsm.Options(createKey: false, keyLabel: "migrated")), SqliteStorageProvider.Instance, TextWriter.Null, Ct);

        using (var pkcs11 = new Pkcs11Seal(hsm.Options(createKey: false, keyLabel: "migrated")))
        using (var file = new AesGcmSeal(old))
        {
            await AssertEverySecretOpensAsync(pkcs11, file);
            Assert.Equal(old, await File.ReadAllBytesAsync(RootKey));
        }

        await RekeyRunner.RunAsync(new RekeyRequest(_directory, null, null, hsm.Options(createKey: false, keyLabel: "migrated"), "file", backFile, null), SqliteStorageProvider.Instance, TextWriter.Null, Ct);

        using var back = new AesGcmSeal(await File.ReadAllBytesAsync(backFile));
        using var hsmKey = new Pkcs11Seal(hsm.Options(createKey: false, keyLabel: "migrated"));
        await AssertEverySecretOpensAsync(back, hsmKey);
        Assert.True(RootKeyCheck.Proves(back, (await _store.GetRootKeyCheckAsync(Ct))!));
    }

    [Fact]
    public async Task A_rekey_within_a_PKCS11_token_creates_a_new_key_there_and_names_it_for_the_configuration()
    {
        using var hsm = new SoftHsm();
        await RekeyRunner.RunAsync(new RekeyRequest(_directory, null, null, null, "pkcs11", null, hsm.Options(createKey: false, keyLabel: "first")), SqliteStorageProvider.Instance, TextWriter.Null, Ct);
        var progress = new StringWriter();

        await RekeyRunner.RunAsync(new RekeyRequest(_directory, null, null, hsm.Options(createKey: false, keyLabel: "first"), null, null, new Pkcs11SealOptions("", "", "", "second", false)), SqliteStorageProvider.Instance, progress, Ct);

        using var second = new Pkcs11Seal(hsm.Options(createKey: false, keyLabel: "second"));
        using var first = new Pkcs11Seal(hsm.Options(createKey: false, keyLabel: "first"));
        await AssertEverySecretOpensAsync(second, first);
        Assert.Equal(
            "rekey: set seal.keyLabel to 'second' in the configuration before the next start; the old key 'first' stays in the token for backups taken before now.",
            progress.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public async Task A_rotation_finished_in_the_store_but_not_on_disk_is_named_at_start_and_a_second_rekey_puts_the_new_key_in_place()
    {
        var old = await File.ReadAllBytesAsync(RootKey);
        var next = RandomNumberGenerator.GetBytes(32);
        await File.WriteAllBytesAsync(RootKey + ".next", next);
        using (var newSeal = new AesGcmSeal(next))
        {
            await _store.StartRootKeyRotationAsync(new RootKeyRotation(RekeyTarget.File(RootKey + ".next"), RootKeyCheck.Create(newSeal), DateTimeOffset.UnixEpoch), Ct);
        }

        await _store.FinishRootKeyRotationAsync(DateTimeOffset.UnixEpoch, Ct);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => RootKeyCheck.OpenAsync(_store, "test", _directory, null, null, start: true, TimeProvider.System, Ct));
        await RekeyRunner.RunAsync(new RekeyRequest(_directory, null, null, null, null, null, null), SqliteStorageProvider.Instance, TextWriter.Null, Ct);

        Assert.Equal($"the root key file {RootKey} is not the root key the data in test was sealed with: start with that key (restore it from backup); nothing was changed. A root key rotation finished in the store but not on disk: run citadel rekey to put {RootKey}.next in place.", refused.Message);
        Assert.Equal(next, await File.ReadAllBytesAsync(RootKey));
        Assert.Equal(old, await File.ReadAllBytesAsync(Assert.Single(Directory.GetFiles(_directory, "root.key.retired-*"))));
        Assert.False(File.Exists(RootKey + ".next"));
        var (reopened, _) = await RootKeyCheck.OpenAsync(_store, "test", _directory, null, null, start: true, TimeProvider.System, Ct);
        reopened.Dispose();
    }

    [Fact]
    public async Task A_seal_ring_seals_under_the_new_key_and_opens_what_either_key_sealed()
    {
        using var oldSeal = new AesGcmSeal(RandomNumberGenerator.GetBytes(32));
        using var newSeal = new AesGcmSeal(RandomNumberGenerator.GetBytes(32));
        var underOld = oldSeal.Seal("a"u8, "ad"u8);
        var ring = new SealRing(oldSeal);
        ring.Rotate(newSeal, "file:/new");

        var sealedNow = ring.Seal("b"u8, "ad"u8);

        Assert.Equal("a"u8.ToArray(), ring.Unseal(underOld, "ad"u8));
        Assert.Equal("b"u8.ToArray(), newSeal.Unseal(sealedNow, "ad"u8));
        Assert.ThrowsAny<CryptographicException>(() => oldSeal.Unseal(sealedNow, "ad"u8));
        Assert.ThrowsAny<CryptographicException>(() => ring.Unseal(underOld, "other"u8));
    }

    private async Task AddKeysAsync(ISeal seal, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var key = new KeyRecord { Id = KeyId.New(), AccountId = Account, Region = "us-east-1", CreatedAt = DateTimeOffset.UnixEpoch, State = KeyState.Enabled, Policy = "{}" };
            var material = RandomNumberGenerator.GetBytes(32);
            _materials[(key.Id, 1)] = (key.Arn, material);
            Assert.Equal(StoreOutcome.Success, await _store.CreateKeyAsync(
                key,
                new KeyMaterialRecord(key.Id, 1, MaterialProtector.NewMaterialId(), MaterialProtector.Protect(seal, key.Arn, 1, material), DateTimeOffset.UnixEpoch, MaterialOrigin.Created),
                [],
                Ct));
        }
    }

    /// <summary>Every material version and the access key open under <paramref name="now"/> to what was sealed, and none under <paramref name="before"/>.</summary>
    private async Task AssertEverySecretOpensAsync(ISeal now, ISeal before)
    {
        foreach (var ((key, version), (arn, material)) in _materials)
        {
            var stored = (await _store.GetMaterialAsync(key, version, Ct))!.EncryptedMaterial;
            Assert.Equal(material, MaterialProtector.Unprotect(now, arn, version, stored));
            Assert.ThrowsAny<CryptographicException>(() => MaterialProtector.Unprotect(before, arn, version, stored));
        }

        var accessKey = (await _store.FindAccessKeyAsync("AKIDREKEY", Ct))!;
        Assert.Equal("secret"u8.ToArray(), SecretSeal.Unseal(now, "AKIDREKEY", accessKey.SealedSecret));
        Assert.ThrowsAny<CryptographicException>(() => SecretSeal.Unseal(before, "AKIDREKEY", accessKey.SealedSecret));
    }

    private async Task<(int UnderNew, int UnderOld)> CountAsync(ISeal newSeal, ISeal oldSeal)
    {
        var (underNew, underOld) = (0, 0);
        foreach (var ((key, version), (arn, material)) in _materials)
        {
            var stored = (await _store.GetMaterialAsync(key, version, Ct))!.EncryptedMaterial;
            if (Opens(() => MaterialProtector.Unprotect(newSeal, arn, version, stored), material))
            {
                underNew++;
            }
            else if (Opens(() => MaterialProtector.Unprotect(oldSeal, arn, version, stored), material))
            {
                underOld++;
            }
        }

        var secret = (await _store.FindAccessKeyAsync("AKIDREKEY", Ct))!.SealedSecret;
        return Opens(() => SecretSeal.Unseal(newSeal, "AKIDREKEY", secret), "secret"u8.ToArray()) ? (underNew + 1, underOld)
            : Opens(() => SecretSeal.Unseal(oldSeal, "AKIDREKEY", secret), "secret"u8.ToArray()) ? (underNew, underOld + 1)
            : (underNew, underOld);
    }

    private static bool Opens(Func<byte[]> unseal, byte[] expected)
    {
        try
        {
            return unseal().AsSpan().SequenceEqual(expected);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Cancels the rekey at its first progress report, half-way through its first pass.</summary>
    private sealed class CancelOnProgress(CancellationTokenSource stop) : StringWriter
    {
        public override Task WriteLineAsync(string? value)
        {
            if (value?.Contains("secrets re-wrapped", StringComparison.Ordinal) == true)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }
    }
}
