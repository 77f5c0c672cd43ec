using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace Citadel.EndToEnd.Tests;

/// <summary>`citadel backup` of a running server's data directory, and `citadel restore` into a fresh one.</summary>
public sealed class BackupRestoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "citadel-backup-" + Guid.NewGuid().ToString("N"));

    public BackupRestoreTests() => Directory.CreateDirectory(_directory);

    private string Source => Path.Combine(_directory, "data");

    private string Backup => Path.Combine(_directory, "backup");

    private string Restored => Path.Combine(_directory, "restored");

    private string RootKey => Path.Combine(Source, "root.key");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <remarks>
    /// With two journal stripes the backup copies one stripe after the other while the load appends to both: the copies
    /// are cut at the first event a stripe copied earlier lacks, so the restored trail has no recorded gap and holds
    /// every event acknowledged before the backup began.
    /// </remarks>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_backup_taken_under_load_restores_into_a_fresh_directory_that_decrypts_what_was_encrypted_before_and_verifies(int stripes)
    {
        var before = new List<(byte[] Plaintext, byte[] Blob)>();
        string hmacKey;
        byte[] mac;
        string signingKey;
        byte[] signature;
        int acknowledgedBeforeBackup;
        await using (var server = new ServerProcess(Source))
        {
            server.Environment["CITADEL_Audit__JournalStripes"] = stripes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await server.StartAsync();
            using var kms = server.Client();
            var keyId = (await kms.NewKeyAsync()).KeyId;
            for (var i = 0; i < 20; i++)
            {
                var plaintext = RandomNumberGenerator.GetBytes(32);
                before.Add((plaintext, (await kms.EncryptAsync(keyId, plaintext)).CiphertextBlob.ToArray()));
            }

            hmacKey = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC })).KeyMetadata.KeyId;
            mac = (await kms.GenerateMacAsync(new GenerateMacRequest { KeyId = hmacKey, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = new MemoryStream("m"u8.ToArray()) })).Mac.ToArray();
            signingKey = (await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata.KeyId;
            signature = (await kms.SignAsync(new SignRequest { KeyId = signingKey, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256, Message = new MemoryStream("m"u8.ToArray()) })).Signature.ToArray();

            using var stop = new CancellationTokenSource();
            var acknowledged = 0;
            var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var requests = 0;
                while (!stop.IsCancellationRequested)
                {
                    await kms.EncryptAsync(keyId, "load"u8.ToArray());
                    Interlocked.Increment(ref acknowledged);
                    requests++;
                }

                return requests;
            })).ToList();
            await Task.Delay(300);

            acknowledgedBeforeBackup = Volatile.Read(ref acknowledged);
            var backup = await CliProcess.RunAsync("backup", "--data-dir", Source, "--out", Backup);

            await stop.CancelAsync();
            var served = (await Task.WhenAll(load)).Sum();
            Assert.Equal(0, backup.ExitCode);
            Assert.True(served > 0);
            Assert.Equal(
                $"backup: wrote {ManifestFiles().Count} files",
                backup.ErrorLines[^1][..$"backup: wrote {ManifestFiles().Count} files".Length]);
        }

        var restore = await CliProcess.RunAsync("restore", "--from", Backup, "--data-dir", Restored, "--root-key-file", RootKey);

        Assert.Equal(0, restore.ExitCode);
        await using (var server = new ServerProcess(Restored))
        {
            await server.StartAsync();
            using var kms = server.Client();
            foreach (var (plaintext, blob) in before)
            {
                Assert.Equal(plaintext, (await kms.DecryptAsync(blob)).Plaintext.ToArray());
            }

            var verified = await kms.VerifyMacAsync(new VerifyMacRequest { KeyId = hmacKey, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = new MemoryStream("m"u8.ToArray()), Mac = new MemoryStream(mac) });
            Assert.True(verified.MacValid);
            var signed = await kms.VerifyAsync(new VerifyRequest { KeyId = signingKey, SigningAlgorithm = SigningAlgorithmSpec.ECDSA_SHA_256, Message = new MemoryStream("m"u8.ToArray()), Signature = new MemoryStream(signature) });
            Assert.True(signed.SignatureValid);
        }

        // Intact and no line but the chain's: no recorded gap.
        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", Restored);
        Assert.Equal(0, verify.ExitCode);
        Assert.Matches(@"^chain \S+: \d+ records, intact$", verify.Output.Trim());
        var export = await CliProcess.RunAsync("audit", "export", "--data-dir", Restored);
        Assert.Equal(0, export.ExitCode);
        var encrypts = export.Output.Split('\n').Count(line => line.Contains("\"eventName\":\"Encrypt\"", StringComparison.Ordinal));
        Assert.InRange(encrypts, before.Count + acknowledgedBeforeBackup, int.MaxValue);
    }

    [Fact]
    [Trait("Issue", "17")]
    public async Task A_backup_holds_the_journal_segments_the_trail_refers_to_and_the_restore_keeps_their_last_write_time_and_verifies()
    {
        await using (var server = await CitadelServer.StartAsync(Source))
        {
            using var kms = server.Client();
            var keyId = (await kms.NewKeyAsync()).KeyId;
            for (var i = 0; i < 5; i++)
            {
                await kms.EncryptAsync(keyId, [(byte)i]);
            }
        }

        // Stopped cleanly, the server moved its journals (one per stripe that took events) to the segments; the
        // trail refers to the records in them.
        Assert.Empty(Directory.GetFiles(Path.Combine(Source, "audit-journal")));
        var segments = Directory.GetFiles(Path.Combine(Source, "audit-segments"));
        Assert.InRange(segments.Length, 1, 2);
        var lastEvent = new DateTime(2026, 12, 1, 8, 30, 0, DateTimeKind.Utc);
        foreach (var segment in segments)
        {
            File.SetLastWriteTimeUtc(segment, lastEvent);
        }

        var backup = await CliProcess.RunAsync("backup", "--data-dir", Source, "--out", Backup);
        var restore = await CliProcess.RunAsync("restore", "--from", Backup, "--data-dir", Restored, "--root-key-file", RootKey);

        Assert.Equal(0, backup.ExitCode);
        Assert.Equal(0, restore.ExitCode);
        foreach (var segment in segments)
        {
            Assert.Contains(ManifestFiles(), f => f.Path == "audit-segments/" + Path.GetFileName(segment));
            var restored = Path.Combine(Restored, "audit-segments", Path.GetFileName(segment));
            Assert.Equal(await File.ReadAllBytesAsync(segment), await File.ReadAllBytesAsync(restored));
            // Retention deletes a segment by its last-write time (the time of its last event): a copy keeps it.
            Assert.Equal(lastEvent, File.GetLastWriteTimeUtc(restored));
        }

        var verify = await CliProcess.RunAsync("audit", "verify", "--data-dir", Restored);
        Assert.Equal(0, verify.ExitCode);
        Assert.Equal("chain local: 6 records, intact", verify.Output.Trim());
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_backup_holds_the_database_the_journals_and_a_manifest_with_every_hash_readable_by_the_owner_alone_and_never_the_root_key()
    {
        await TakeBackupAsync();

        var files = ManifestFiles();
        Assert.Equal("citadel.db", files[0].Path);
        Assert.Contains(files, f => f.Path.StartsWith("audit-journal/", StringComparison.Ordinal));
        foreach (var (path, size, sha256) in files)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(Backup, path));
            Assert.Equal((path, size, sha256), (path, (long)bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }

        var manifest = Manifest();
        Assert.Equal(1, (int)manifest["format"]!);
        Assert.Equal("sqlite", (string)manifest["storage"]!);
        Assert.Equal(Citadel.Storage.Sqlite.SqliteSnapshot.KnownSchemaVersion, (int)manifest["schemaVersion"]!);
        Assert.NotNull((string?)manifest["rootKeyCheck"]);
        var rootKey = await File.ReadAllBytesAsync(RootKey);
        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var entry in Directory.EnumerateFileSystemEntries(Backup, "*", SearchOption.AllDirectories).Append(Backup))
        {
            Assert.Equal((entry, Directory.Exists(entry) ? owner | UnixFileMode.UserExecute : owner), (entry, File.GetUnixFileMode(entry)));
            if (File.Exists(entry))
            {
                Assert.False((await File.ReadAllBytesAsync(entry)).AsSpan().IndexOf(rootKey) >= 0, $"{entry} holds the root key");
            }
        }
    }

    [Fact]
    public async Task A_backup_into_a_directory_that_is_not_empty_is_refused_in_one_line()
    {
        await TakeBackupAsync();

        var again = await CliProcess.RunAsync("backup", "--data-dir", Source, "--out", Backup);

        AssertRefused(again, $"citadel backup: the backup directory {Backup} is not empty: choose a new one, so no earlier backup is overwritten.");
    }

    [Fact]
    public async Task A_backup_of_a_PostgreSQL_deployment_says_in_one_line_how_to_take_one()
    {
        var result = await CliProcess.RunAsync("backup", "--postgres", "Host=127.0.0.1;Database=citadel", "--out", Backup);

        AssertRefused(result, "citadel backup: this deployment keeps its data in PostgreSQL: back the database up with pg_dump or a base backup (pg_basebackup), and keep the seal's root key apart from it; see docs/backup-and-rekey.md.");
        Assert.False(Directory.Exists(Backup));
    }

    [Fact]
    public async Task A_restore_with_another_root_key_is_refused_and_writes_nothing()
    {
        await TakeBackupAsync();
        var other = Path.Combine(_directory, "other.key");
        await File.WriteAllBytesAsync(other, RandomNumberGenerator.GetBytes(32));

        var result = await CliProcess.RunAsync("restore", "--from", Backup, "--data-dir", Restored, "--root-key-file", other);

        AssertRefused(result, $"citadel restore: the root key file {other} is not the root key this backup was sealed with: pass the root key file kept with this deployment (--root-key-file) or the configuration of its seal (--config). Nothing was restored.");
        Assert.False(Directory.Exists(Restored));
    }

    [Fact]
    public async Task A_restore_of_a_backup_whose_database_changed_is_refused_and_writes_nothing()
    {
        await TakeBackupAsync();
        var database = Path.Combine(Backup, "citadel.db");
        var bytes = await File.ReadAllBytesAsync(database);
        bytes[^1] ^= 1;
        await File.WriteAllBytesAsync(database, bytes);

        var result = await CliProcess.RunAsync("restore", "--from", Backup, "--data-dir", Restored, "--root-key-file", RootKey);

        AssertRefused(result, "citadel restore: the backup is damaged: citadel.db does not match its size and SHA-256 in manifest.json; restore another backup. Nothing was restored.");
        Assert.False(Directory.Exists(Restored));
    }

    [Fact]
    public async Task A_restore_of_a_newer_schema_than_this_build_knows_is_refused()
    {
        await TakeBackupAsync();
        var manifest = Manifest();
        manifest["schemaVersion"] = 99;
        await File.WriteAllTextAsync(Path.Combine(Backup, "manifest.json"), manifest.ToJsonString());

        var result = await CliProcess.RunAsync("restore", "--from", Backup, "--data-dir", Restored, "--root-key-file", RootKey);

        AssertRefused(result, $"citadel restore: the backup's database has schema version 99, newer than this Citadel knows ({Citadel.Storage.Sqlite.SqliteSnapshot.KnownSchemaVersion}): restore it with Citadel {(string)manifest["citadelVersion"]!} or newer. Nothing was restored.");
        Assert.False(Directory.Exists(Restored));
    }

    [Fact]
    public async Task A_restore_into_a_directory_that_is_not_empty_is_refused_and_leaves_it_as_it_was()
    {
        await TakeBackupAsync();
        Directory.CreateDirectory(Restored);
        await File.WriteAllTextAsync(Path.Combine(Restored, "keep"), "mine");

        var result = await CliProcess.RunAsync("restore", "--from", Backup, "--data-dir", Restored, "--root-key-file", RootKey);

        AssertRefused(result, $"citadel restore: the data directory {Restored} is not empty: restore into a new or empty directory, so no data is overwritten.");
        Assert.Equal(["keep"], Directory.GetFileSystemEntries(Restored).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_restore_of_a_folder_without_a_manifest_is_refused()
    {
        Directory.CreateDirectory(Backup);

        var result = await CliProcess.RunAsync("restore", "--from", Backup, "--data-dir", Restored, "--root-key-file", RootKey);

        AssertRefused(result, $"citadel restore: {Backup} holds no manifest.json: it is not a complete backup (citadel backup writes the manifest last); nothing was restored.");
    }

    /// <summary>The command failed with exit code 2 and said <paramref name="line"/>, and nothing else.</summary>
    private static void AssertRefused(CliProcess result, string line) => Assert.Equal((2, line), (result.ExitCode, Assert.Single(result.ErrorLines)));

    private async Task TakeBackupAsync()
    {
        await using var server = new ServerProcess(Source);
        await server.StartAsync();
        using (var kms = server.Client())
        {
            await kms.EncryptAsync((await kms.NewKeyAsync()).KeyId, "x"u8.ToArray());
        }

        var backup = await CliProcess.RunAsync("backup", "--data-dir", Source, "--out", Backup);
        Assert.Equal(0, backup.ExitCode);
    }

    private JsonObject Manifest() => JsonNode.Parse(File.ReadAllText(Path.Combine(Backup, "manifest.json")))!.AsObject();

    private List<(string Path, long Size, string Sha256)> ManifestFiles() =>
        Manifest()["files"]!.AsArray().Select(f => ((string)f!["path"]!, (long)f["size"]!, (string)f["sha256"]!)).ToList();
}
