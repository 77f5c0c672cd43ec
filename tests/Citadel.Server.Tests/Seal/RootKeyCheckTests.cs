using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Seal;
using Citadel.Server.SigV4;
using Citadel.Storage.Sqlite;

namespace Citadel.Server.Tests.Seal;

/// <summary>A store proves at start that the seal holds the root key it was sealed with, for the key file and the PKCS#11 seal alike.</summary>
#pragma warning disable CA1001 // The store is disposed in IAsyncLifetime.DisposeAsync, which xUnit calls.
[Collection("softhsm")]
[Trait("Issue", "16")]
public sealed class RootKeyCheckTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-rootcheck-" + Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;

    private string Database => Path.Combine(_directory, "citadel.db");

    private static CancellationToken Ct => CancellationToken.None;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _store = new SqliteStore(Database);
        await _store.MigrateAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_store_sealed_under_one_root_key_file_refuses_another_and_keeps_its_check_value()
    {
        var (first, created) = await OpenAsync(KeyFile("a.key"));
        Dispose(first);
        var check = await _store.GetRootKeyCheckAsync(Ct);
        var other = KeyFile("b.key", RandomNumberGenerator.GetBytes(32));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(other));

        Assert.Equal(KeyFile("a.key"), created);
        Assert.NotNull(check);
        Assert.Equal($"the root key file {other} is not the root key the data in {Database} was sealed with: start with that key (restore it from backup); nothing was changed.", error.Message);
        Assert.Equal(check, await _store.GetRootKeyCheckAsync(Ct));
        Dispose((await OpenAsync(KeyFile("a.key"))).Seal);
    }

    [Fact]
    public async Task A_store_from_before_the_check_value_gets_one_at_the_first_start_that_unseals_its_access_keys()
    {
        var right = KeyFile("right.key", RandomNumberGenerator.GetBytes(32));
        var wrong = KeyFile("wrong.key", RandomNumberGenerator.GetBytes(32));
        using (var seal = new AesGcmSeal(File.ReadAllBytes(right)))
        {
            await _store.PutAccessKeyAsync(new AccessKeyRecord("OLD1", "111122223333", "arn:aws:iam::111122223333:root", PrincipalType.Root, "111122223333", SecretSeal.Seal(seal, "OLD1", "secret"), DateTimeOffset.UnixEpoch), Ct);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(wrong));
        var afterWrong = await _store.GetRootKeyCheckAsync(Ct);
        Dispose((await OpenAsync(right)).Seal);

        Assert.Null(afterWrong);
        Assert.NotNull(await _store.GetRootKeyCheckAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(wrong));
    }

    [Fact]
    public async Task An_administration_command_neither_creates_a_root_key_nor_stores_a_check_value()
    {
        var missing = Path.Combine(_directory, "missing.key");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(missing, start: false));

        Assert.Equal($"the root key file {missing} does not exist: start a server on this data directory first (it creates the root key), or pass --root-key-file.", error.Message);
        Assert.False(File.Exists(missing));
        Assert.Null(await _store.GetRootKeyCheckAsync(Ct));
    }

    [Fact]
    public async Task A_store_sealed_under_one_PKCS11_key_refuses_another_and_creates_none_for_it()
    {
        using var hsm = new SoftHsm();
        Dispose((await OpenAsync(null, pkcs11: hsm.Options())).Seal);
        new Pkcs11Seal(hsm.Options(keyLabel: "other")).Dispose();

        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(null, pkcs11: hsm.Options(keyLabel: "other")));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenAsync(null, pkcs11: hsm.Options(keyLabel: "never-created", createKey: true)));

        Assert.Equal($"the PKCS#11 key 'other' on token '{hsm.TokenLabel}' is not the root key the data in {Database} was sealed with: start with that key (restore it from backup); nothing was changed.", other.Message);
        Assert.StartsWith($"PKCS#11 token '{hsm.TokenLabel}' has no AES key labelled 'never-created'", missing.Message, StringComparison.Ordinal);
        Dispose((await OpenAsync(null, pkcs11: hsm.Options(createKey: false))).Seal);
    }

    private Task<(SealRing Seal, string? CreatedKeyFile)> OpenAsync(string? keyFile, bool start = true, Pkcs11SealOptions? pkcs11 = null) =>
        RootKeyCheck.OpenAsync(_store, Database, _directory, keyFile, pkcs11, start, TimeProvider.System, Ct);

    private string KeyFile(string name, byte[]? bytes = null)
    {
        var path = Path.Combine(_directory, name);
        if (bytes is not null)
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    private static void Dispose(ISeal seal) => (seal as IDisposable)?.Dispose();
}
