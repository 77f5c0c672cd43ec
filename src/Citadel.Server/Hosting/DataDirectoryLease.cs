namespace Citadel.Server.Hosting;

/// <summary>
/// A server's hold on its data directory: created (0700) if missing, locked for the process's life when
/// the server's SQLite store lives there (<see cref="DataDirectoryLock"/>), and removed again when this
/// start created it and failed before serving (a port in use, a bad seal): a start that fails leaves
/// nothing behind. PostgreSQL nodes may share a directory (for the root key file), so it is not locked
/// for them, nor removed: another node may have started in it at the same moment.
/// </summary>
internal sealed class DataDirectoryLease : IDisposable
{
    private readonly string _directory;
    private readonly DataDirectoryLock? _lock;
    private readonly bool _createdByThisStart;
    private volatile bool _started;

    private DataDirectoryLease(string directory, DataDirectoryLock? held, bool createdByThisStart)
    {
        _directory = directory;
        _lock = held;
        _createdByThisStart = createdByThisStart;
    }

    /// <summary>Creates the directory when missing and, when <paramref name="exclusive"/>, takes its lock; throws <see cref="InvalidOperationException"/> saying what to do.</summary>
    public static DataDirectoryLease Take(string dataDirectory, bool exclusive, TimeProvider time)
    {
        var directory = Path.GetFullPath(dataDirectory);
        var existed = Directory.Exists(directory);
        try
        {
            OwnerOnly.CreateDirectory(directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create the data directory {directory}: {exception.Message} Choose one the server's user may write (--data-dir, or dataDirectory: in the configuration file).", exception);
        }

        if (!exclusive)
        {
            return new DataDirectoryLease(directory, null, createdByThisStart: false);
        }

        try
        {
            return new DataDirectoryLease(directory, DataDirectoryLock.Acquire(directory, time.GetUtcNow()), createdByThisStart: !existed);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            if (!existed)
            {
                Directory.Delete(directory, recursive: true);
            }

            throw exception is InvalidOperationException
                ? exception
                : new InvalidOperationException($"cannot write in the data directory {directory}: {exception.Message} Give the server's user ownership of it, or choose another.", exception);
        }
    }

    /// <summary>The server started serving: from now on its directory stays, whatever happens.</summary>
    public void Started() => _started = true;

    public void Dispose()
    {
        // Removed while still locked, so no server starting in it meanwhile loses its files.
        if (_createdByThisStart && !_started)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Best effort: what is left is a fresh data directory that never served.
            }
        }

        _lock?.Dispose();
    }
}
