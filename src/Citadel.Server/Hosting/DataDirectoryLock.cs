using System.Globalization;

namespace Citadel.Server.Hosting;

/// <summary>
/// One server per SQLite data directory: an exclusive lock on &lt;data directory&gt;/citadel.lock, held
/// for the process's life and released by the operating system when it ends, however it ends. Two
/// servers on one database would each cache keys the other changes (a key disabled on one stays usable
/// on the other) and write the same audit chain. The lock is advisory (flock on Unix, which .NET takes
/// for FileShare.None), so only Citadel honours it; the holder is named in &lt;data directory&gt;/citadel.pid,
/// because a locked file cannot be read by another .NET process.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = "citadel.lock";

    public const string HolderFileName = "citadel.pid";

    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream held) => _lock = held;

    /// <summary>Takes the lock, or throws <see cref="InvalidOperationException"/> naming the process that holds it.</summary>
    public static DataDirectoryLock Acquire(string dataDirectory, DateTimeOffset now)
    {
        var directory = Path.GetFullPath(dataDirectory);
        FileStream held;
        try
        {
            held = new FileStream(Path.Combine(directory, FileName), OwnerOnly.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(Path.Combine(directory, FileName)))
        {
            throw new InvalidOperationException($"the data directory {directory} is in use by another Citadel process ({Holder(directory)}): stop it first, or give this server a data directory of its own.");
        }

        try
        {
            OwnerOnly.WriteAllText(
                Path.Combine(directory, HolderFileName),
                string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} on {Environment.MachineName}, started {now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\n"));
        }
        catch
        {
            held.Dispose();
            throw;
        }

        return new DataDirectoryLock(held);
    }

    public void Dispose() => _lock.Dispose();

    private static string Holder(string directory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, HolderFileName)).Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "its process id is not recorded";
        }
    }
}
