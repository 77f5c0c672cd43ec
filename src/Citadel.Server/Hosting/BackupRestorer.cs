using System.Text.Json;
using Citadel.Core.Crypto;
using Citadel.Server.Seal;
using Citadel.Storage;

namespace Citadel.Server.Hosting;

/// <summary>
/// `citadel restore`: checks a backup whole before writing anything — its manifest, every file's size
/// and SHA-256, a schema this build knows, and that the configured seal holds the root key it was sealed
/// with — then copies it into an empty data directory. The audit journals go back into the journal
/// directory, so the restored server moves the events they hold into its store at start.
/// </summary>
public sealed class BackupRestorer(IStoreBackup backup, TextWriter progress)
{
    /// <summary>Restores <paramref name="backupDirectory"/> into <paramref name="dataDirectory"/>; throws <see cref="InvalidOperationException"/> saying what to do, having written nothing.</summary>
    /// <param name="backupDirectory">What citadel backup --out wrote.</param>
    /// <param name="dataDirectory">The data directory to restore into: new or empty.</param>
    /// <param name="rootKeyFile">The root key file kept apart from the backup; copied into the data directory (as root.key) when it is not there, so a server started on it finds it.</param>
    /// <param name="pkcs11">The PKCS#11 seal, instead of a key file.</param>
    /// <param name="installKeyFile">Whether to copy <paramref name="rootKeyFile"/> into the data directory (not when a configuration file names where it stays).</param>
    /// <param name="ct">Cancels the restore; what was copied is removed.</param>
    public async Task<BackupManifest> RestoreAsync(string backupDirectory, string dataDirectory, string? rootKeyFile, Pkcs11SealOptions? pkcs11, bool installKeyFile, CancellationToken ct)
    {
        var from = Path.GetFullPath(backupDirectory);
        var manifest = ReadManifest(from);
        await VerifyFilesAsync(from, manifest, ct);
        var target = Path.GetFullPath(dataDirectory);
        var keyFile = rootKeyFile is null ? null : Path.GetFullPath(rootKeyFile);
        ProveRootKey(manifest, target, keyFile, pkcs11);

        var created = BackupWriter.PrepareEmptyDirectory(target, "data directory", "restore into a new or empty directory, so no data is overwritten");
        try
        {
            foreach (var file in manifest.Files)
            {
                var destination = Path.Combine(target, file.Path);
                OwnerOnly.CreateDirectory(Path.GetDirectoryName(destination)!);
                var copied = await BackupWriter.CopyAsync(Path.Combine(from, file.Path), destination, target, ct);
                if (copied != file)
                {
                    throw new InvalidOperationException($"{Path.Combine(from, file.Path)} changed while it was restored: restore again from a backup nothing writes to; nothing was restored.");
                }
            }

            var installed = Path.Combine(target, "root.key");
            if (installKeyFile && keyFile is not null && keyFile != installed)
            {
                await BackupWriter.CopyAsync(keyFile, installed, target, ct);
            }
        }
        catch
        {
            BackupWriter.Clear(target, created);
            throw;
        }

        await progress.WriteLineAsync($"restore: {manifest.Files.Count} files of the backup taken {manifest.CreatedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} (Citadel {manifest.CitadelVersion}, schema version {manifest.SchemaVersion}) are in {target}; start the server on it, which moves the audit journals' events into its store.");
        return manifest;
    }

    private BackupManifest ReadManifest(string from)
    {
        var path = Path.Combine(from, BackupManifest.FileName);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(Directory.Exists(from)
                ? $"{from} holds no {BackupManifest.FileName}: it is not a complete backup (citadel backup writes the manifest last); nothing was restored."
                : $"there is no backup at {from}: pass the directory citadel backup --out wrote.");
        }

        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(path), BackupJsonContext.Default.BackupManifest);
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"{path} cannot be read ({exception.Message}): the backup is damaged; restore another one. Nothing was restored.", exception);
        }

        if (manifest?.RootKeyCheck is { } check && !Convert.TryFromBase64String(check, new byte[check.Length], out _))
        {
            throw new InvalidOperationException($"{path} holds a root key check value that is not base64: the backup is damaged; restore another one. Nothing was restored.");
        }

        if (manifest is null || manifest.Format > BackupManifest.CurrentFormat)
        {
            throw new InvalidOperationException($"{path} is in a manifest format this Citadel does not know: restore it with the Citadel that wrote it ({manifest?.CitadelVersion ?? "unknown"}) or a newer one. Nothing was restored.");
        }

        if (manifest.Storage != "sqlite")
        {
            throw new InvalidOperationException($"the backup at {from} is of {manifest.Storage} storage; citadel restore restores SQLite data directories only. Nothing was restored.");
        }

        if (manifest.SchemaVersion > backup.KnownSchemaVersion)
        {
            throw new InvalidOperationException($"the backup's database has schema version {manifest.SchemaVersion}, newer than this Citadel knows ({backup.KnownSchemaVersion}): restore it with Citadel {manifest.CitadelVersion} or newer. Nothing was restored.");
        }

        if (!manifest.Files.Any(f => f.Path == BackupWriter.DatabaseFileName))
        {
            throw new InvalidOperationException($"{path} lists no {BackupWriter.DatabaseFileName}: the backup is damaged; restore another one. Nothing was restored.");
        }

        return manifest;
    }

    private static async Task VerifyFilesAsync(string from, BackupManifest manifest, CancellationToken ct)
    {
        foreach (var file in manifest.Files)
        {
            var path = Path.GetFullPath(Path.Combine(from, file.Path));
            if (Path.IsPathRooted(file.Path) || !path.StartsWith(from + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{BackupManifest.FileName} names {file.Path}, outside the backup: the manifest was tampered with; nothing was restored.");
            }

            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"the backup is damaged: {file.Path}, listed in {BackupManifest.FileName}, is missing; nothing was restored.");
            }

            if (await BackupWriter.DescribeAsync(from, path, ct) != file)
            {
                throw new InvalidOperationException($"the backup is damaged: {file.Path} does not match its size and SHA-256 in {BackupManifest.FileName}; restore another backup. Nothing was restored.");
            }
        }
    }

    private static void ProveRootKey(BackupManifest manifest, string target, string? keyFile, Pkcs11SealOptions? pkcs11)
    {
        if (manifest.RootKeyCheck is null)
        {
            throw new InvalidOperationException("the backup's manifest holds no root key check value, so the root key cannot be checked: start a server on the data directory once, then take the backup again. Nothing was restored.");
        }

        var path = keyFile ?? Path.Combine(target, "root.key");
        var described = RootKeyCheck.Describe(path, pkcs11);
        if (pkcs11 is null && !File.Exists(path))
        {
            throw new InvalidOperationException($"{described} does not exist: pass --root-key-file with the root key kept apart from the backup, or --config with the configuration naming its seal. Nothing was restored.");
        }

        ISeal seal = SealFactory.Open(target, path, pkcs11 is null ? null : pkcs11 with { CreateKey = false }, out _);
        try
        {
            if (!RootKeyCheck.Proves(seal, Convert.FromBase64String(manifest.RootKeyCheck)))
            {
                throw new InvalidOperationException($"{described} is not the root key this backup was sealed with: pass the root key file kept with this deployment (--root-key-file) or the configuration of its seal (--config). Nothing was restored.");
            }
        }
        finally
        {
            (seal as IDisposable)?.Dispose();
        }
    }
}
