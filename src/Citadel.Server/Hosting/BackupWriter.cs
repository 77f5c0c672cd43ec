using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Server.Audit;
using Citadel.Storage;

namespace Citadel.Server.Hosting;

/// <summary>
/// `citadel backup`: a consistent copy of a SQLite data directory while its server runs, through the
/// provider's <paramref name="backup"/>. The database's moment is fixed first (<see cref="IStoreBackup.Begin"/>); then the audit journals are copied, which
/// hold every event the database had not received yet at that moment (and later ones), so a restored
/// server moves them into its store and the audit trail has no gap; then the database as of that moment.
/// Last, the journal copies are cut at the first event missing from them after the database's head
/// (<see cref="JournalCopyCut"/>): a journal copied earlier lacks what was appended to it after its copy.
/// The root key is never copied.
/// </summary>
public sealed class BackupWriter(IStoreBackup backup, TextWriter progress, TimeProvider time)
{
    public const string DatabaseFileName = "citadel.db";


    /// <summary>How often a large copy reports how far it is.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    /// <summary>How many bytes a copy reads at a time.</summary>
    private const int ChunkBytes = 1 << 16;

    /// <summary>
    /// How many times in all a journal the server appends to is read while its copy reads as damaged in the middle
    /// (<see cref="CopyJournalAsync"/>). Under load fewer than one copy in a hundred is estimated to catch an append between
    /// two reads; the same race at each of four reads is not to be expected, whereas damage in the server's file is there at each.
    /// </summary>
    private const int JournalReads = 4;

    /// <summary>Opens a file to copy without its lock (<see cref="UnlockedRead"/>); a test's, which appends between two reads as the server does.</summary>
    internal Func<string, Stream> OpenToCopy { get; init; } = UnlockedRead.Open;

    /// <summary>Backs up <paramref name="dataDirectory"/> into <paramref name="outDirectory"/>, which must not exist or be empty; throws <see cref="InvalidOperationException"/> saying what to do.</summary>
    public async Task<BackupManifest> WriteAsync(string dataDirectory, string outDirectory, CancellationToken ct)
    {
        var source = Path.GetFullPath(dataDirectory);
        var database = Path.Combine(source, DatabaseFileName);
        if (!File.Exists(database))
        {
            throw new InvalidOperationException($"no data directory at {source}: pass the server's --data-dir, or --config with its configuration file.");
        }

        var target = Path.GetFullPath(outDirectory);
        var createdTarget = PrepareEmptyDirectory(target, "backup directory", "choose a new one, so no earlier backup is overwritten");
        try
        {
            // The database's moment is fixed first; the journals are copied right after it, while the moment
            // is held, so they hold every event the copy lacks. The server deletes a journal (it never reuses
            // one) only once it is full and every event in it reached the database, so an event is missed only if its
            // journal filled and was indexed within the few milliseconds the journals take to copy. The
            // database itself, the long part, is copied last, as of the moment.
            var files = new List<BackupFile>();
            using var moment = backup.Begin(database);
            // Then the journal segments the database refers to for its records (docs/audit.md): they are never written
            // again, and a journal the server moves there meanwhile is found there, being copied after the journals.
            await CopyJournalFilesAsync(source, target, JournalSegments.JournalDirectoryName, "audit journal", files, ct);
            var journals = files.Count;
            await CopyJournalFilesAsync(source, target, JournalSegments.DirectoryName, "audit journal segment", files, ct);

            var copy = Path.Combine(target, DatabaseFileName);
            var wal = new FileInfo(database + "-wal");
            await progress.WriteLineAsync($"backup: copying the database ({Megabytes(new FileInfo(database).Length + (wal.Exists ? wal.Length : 0))} with its write-ahead log)");
            OwnerOnly.CreateFile(copy);
            await WithProgressAsync(() => moment.CopyTo(copy), () => $"database {Megabytes(new FileInfo(copy).Length)} copied", ct);
            var (schemaVersion, rootKeyCheck) = backup.Describe(copy);
            await CutJournalCopiesAsync(Path.Combine(source, JournalSegments.JournalDirectoryName), target, files, journals, backup.ChainHeads(copy), ct);
            files.Insert(0, await DescribeAsync(target, copy, ct));

            var manifest = new BackupManifest
            {
                Format = BackupManifest.CurrentFormat,
                CreatedAt = time.GetUtcNow(),
                CitadelVersion = CitadelVersion,
                Storage = "sqlite",
                SchemaVersion = schemaVersion,
                RootKeyCheck = rootKeyCheck is null ? null : Convert.ToBase64String(rootKeyCheck),
                Files = files,
            };
            await using (var stream = new FileStream(Path.Combine(target, BackupManifest.FileName), OwnerOnly.Options(FileMode.CreateNew, FileAccess.Write)))
            {
                await JsonSerializer.SerializeAsync(stream, manifest, BackupJsonContext.Default.BackupManifest, ct);
                stream.Flush(flushToDisk: true);
            }

            await progress.WriteLineAsync($"backup: wrote {files.Count} files ({Megabytes(files.Sum(f => f.Size))}) and {BackupManifest.FileName} into {target}. The root key is not in it: keep it apart.");
            return manifest;
        }
        catch
        {
            Clear(target, createdTarget);
            throw;
        }
    }

    /// <summary>The version of this build, as the manifest records it.</summary>
    public static string CitadelVersion =>
        typeof(BackupWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// Creates <paramref name="directory"/> (0700), or accepts it when it exists and is empty; returns
    /// whether it was created here. Refuses a file, or a directory with anything in it.
    /// </summary>
    public static bool PrepareEmptyDirectory(string directory, string what, string advice)
    {
        if (File.Exists(directory))
        {
            throw new InvalidOperationException($"the {what} {directory} is a file: {advice}.");
        }

        if (Directory.Exists(directory))
        {
            if (Directory.EnumerateFileSystemEntries(directory).Any())
            {
                throw new InvalidOperationException($"the {what} {directory} is not empty: {advice}.");
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, OwnerOnly.DirectoryPermissions);
            }

            return false;
        }

        OwnerOnly.CreateDirectory(directory);
        return true;
    }

    /// <summary>Removes what a failed backup or restore wrote: the directory when it made it, else its contents.</summary>
    public static void Clear(string directory, bool created)
    {
        try
        {
            if (created)
            {
                Directory.Delete(directory, recursive: true);
                return;
            }

            foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort; the error that got us here is the one to report.
        }
    }

    /// <summary>
    /// Cuts the journal copies, <paramref name="files"/>' first <paramref name="journals"/>, after the database copy's chain
    /// <paramref name="heads"/> where a number they lack is in the server's journals in <paramref name="source"/> now
    /// (<see cref="JournalCopyCut"/>), and describes those cut again, so the manifest holds
    /// the hash of what the backup keeps.
    /// </summary>
    private async Task CutJournalCopiesAsync(string source, string target, List<BackupFile> files, int journals, IReadOnlyDictionary<string, long> heads, CancellationToken ct)
    {
        var copies = files.Take(journals).Select(f => Path.Combine(target, f.Path)).ToList();
        foreach (var outcome in JournalCopyCut.Apply(copies, source, heads))
        {
            if (outcome.LeftAsIs is { } why)
            {
                await progress.WriteLineAsync($"backup: {why}");
                continue;
            }

            if (outcome.Truncated.Count == 0)
            {
                continue;
            }

            await progress.WriteLineAsync($"backup: the audit trail of chain {outcome.ChainId} ends before event {outcome.Missing}, which a journal copied earlier did not hold yet; {outcome.Truncated.Count} journal cop{(outcome.Truncated.Count == 1 ? "y was" : "ies were")} cut there");
            foreach (var path in outcome.Truncated)
            {
                files[copies.IndexOf(path)] = await DescribeAsync(target, path, ct);
            }
        }
    }

    /// <summary>
    /// Copies the finished files of <paramref name="directoryName"/> (a file still being created, *.tmp, holds no event yet);
    /// a journal the server may be appending to is checked as it is copied (<see cref="CopyJournalAsync"/>).
    /// </summary>
    private async Task CopyJournalFilesAsync(string source, string target, string directoryName, string what, List<BackupFile> files, CancellationToken ct)
    {
        var directory = Path.Combine(source, directoryName);
        if (!Directory.Exists(directory))
        {
            return;
        }

        var names = Directory.GetFiles(directory).Where(path => !path.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        await progress.WriteLineAsync($"backup: copying {names.Count} {what} {(names.Count == 1 ? "file" : "files")}");
        OwnerOnly.CreateDirectory(Path.Combine(target, directoryName));

        // Only the journals' own directory holds files the server appends to (segments are never written again; a journal set aside, ….damaged, is not either).
        var live = directoryName == JournalSegments.JournalDirectoryName;
        using var journalBytes = new MemoryStream();
        foreach (var name in names)
        {
            var copied = Path.Combine(target, directoryName, Path.GetFileName(name));
            try
            {
                files.Add(live && JournalCopyCut.IsJournal(name)
                    ? await CopyJournalAsync(name, copied, target, journalBytes, ct)
                    : await CopyAsync(name, copied, target, ct));
            }
            catch (FileNotFoundException)
            {
                // Moved or deleted meanwhile: a journal moved to the segments is copied from there; a deleted one had
                // every event in the database (or was past retention).
                File.Delete(copied);
            }
        }
    }

    /// <summary>
    /// Copies a journal the server may be appending to while it is read (0600, made durable) and returns its entry.
    /// The server only appends frames, into zeros written ahead of them, but a read is not atomic with a write: a batch
    /// appended across the boundary of two reads leaves its end in the copy after zeros where its start was, and
    /// intact later frames after bytes that are no frame are damage to the restored node's drain, which would not start.
    /// So what was read is parsed (<see cref="JournalContents"/>) before it is written, and read again while it is
    /// damaged in the middle, <see cref="JournalReads"/> times at most. A torn tail (a batch still being written) is not
    /// damage: the drain drops it, and the cut ends the trail before it if a later event needs that. Damage in the
    /// server's own file reads the same each time and is copied as it is, saying so, for the restored node's drain to
    /// report (nothing is cut away). <paramref name="buffer"/> holds the file (up to the journal's size, 16 MB, and the
    /// zeros ahead, 1 MB), reused from one journal to the next.
    /// </summary>
    internal async Task<BackupFile> CopyJournalAsync(string from, string to, string root, MemoryStream buffer, CancellationToken ct)
    {
        var chunk = new byte[ChunkBytes];
        for (var reads = 1; ; reads++)
        {
            buffer.SetLength(0);
            await using (var input = OpenToCopy(from))
            {
                // What the drain refuses to read (a sparse file of terabytes) is not read whole into memory here either.
                bool TooLarge() => buffer.Length > AuditJournal.MaxReadBytes || (input.CanSeek && input.Length > AuditJournal.MaxReadBytes);
                int read;
                while (!TooLarge() && (read = await input.ReadAsync(chunk, ct)) > 0)
                {
                    buffer.Write(chunk, 0, read);
                }

                if (TooLarge())
                {
                    throw new InvalidOperationException(
                        $"the audit journal {from} is more than {AuditJournal.MaxReadBytes} bytes, more than any journal Citadel writes, so it is not one or it is damaged, and the server would not start with it. "
                        + $"Move it out of {Path.GetDirectoryName(from)} (keep it for forensics), then back up again.");
                }
            }

            var reading = JournalContents.Read(from, buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).Classify(0);
            if (!reading.Damaged)
            {
                break;
            }

            var at = reading.Gaps[0].Offset;
            if (reads == JournalReads)
            {
                await progress.WriteLineAsync($"backup: the audit journal {Path.GetFileName(from)} read as damaged at byte {at} each of the {JournalReads} times it was read, so the server's own file is damaged there: it is copied as it is, and the restored server's drain will stop and say what to run");
                break;
            }

            await progress.WriteLineAsync($"backup: the audit journal {Path.GetFileName(from)} read as damaged at byte {at} (an append between two reads, or damage in the file): reading it again");
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        await using (var output = new FileStream(to, OwnerOnly.Options(FileMode.CreateNew, FileAccess.Write)))
        {
            await output.WriteAsync(bytes, ct);
            output.Flush(flushToDisk: true);
        }

        File.SetLastWriteTimeUtc(to, File.GetLastWriteTimeUtc(from));
        return new BackupFile(RelativePath(root, to), bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes.Span)));
    }

    /// <summary>Copies a file (0600, made durable) and returns its entry; the hash is of the bytes written.</summary>
    public static async Task<BackupFile> CopyAsync(string from, string to, string root, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        await using (var input = UnlockedRead.Open(from))
        await using (var output = new FileStream(to, OwnerOnly.Options(FileMode.CreateNew, FileAccess.Write)))
        {
            var buffer = new byte[ChunkBytes];
            int read;
            while ((read = await input.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), ct);
                size += read;
            }

            output.Flush(flushToDisk: true);
        }

        // A journal segment's last-write time is the time of its last event, by which retention deletes it.
        File.SetLastWriteTimeUtc(to, File.GetLastWriteTimeUtc(from));
        return new BackupFile(RelativePath(root, to), size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>The entry of a file already in place: its size and SHA-256.</summary>
    public static async Task<BackupFile> DescribeAsync(string root, string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var sha256 = await SHA256.HashDataAsync(stream, ct);
        return new BackupFile(RelativePath(root, path), stream.Length, Convert.ToHexStringLower(sha256));
    }

    private static string RelativePath(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.0} MB");

    /// <summary>Runs a long synchronous copy, saying every few seconds how far it is.</summary>
    private async Task WithProgressAsync(Action work, Func<string> status, CancellationToken ct)
    {
        var running = Task.Run(work, ct);
        while (await Task.WhenAny(running, Task.Delay(ProgressInterval, time, ct)) != running)
        {
            await progress.WriteLineAsync($"backup: {status()}");
        }

        await running;
    }
}
