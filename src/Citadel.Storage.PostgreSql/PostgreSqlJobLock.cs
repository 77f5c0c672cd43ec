using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The job lock as a PostgreSQL session advisory lock, held on a dedicated unpooled connection: it
/// lasts exactly as long as that session, so a node that dies (or loses its connection) releases it
/// and the next node to try takes it. Every try by the holder checks that its session is alive.
/// </summary>
/// <remarks>
/// Between a session ending on the server and its holder noticing (at most one job interval) two
/// nodes may both run a job; jobs change keys through row_version, so the second writer finds the
/// work done and changes nothing.
/// </remarks>
internal sealed class PostgreSqlJobLock(NpgsqlDataSource dedicated, ILogger logger) : IJobLock, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;
    private bool _disposed;

    public async ValueTask<bool> TryHoldAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_disposed)
            {
                return false;
            }

            if (_connection is not null)
            {
                try
                {
                    await using var ping = new NpgsqlCommand("SELECT 1;", _connection) { CommandTimeout = 5 };
                    await ping.ExecuteScalarAsync(ct);
                    return true;
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
                {
                    logger.JobLockLost(exception);
                    await _connection.DisposeAsync();
                    _connection = null;
                }
            }

            NpgsqlConnection? connection = null;
            try
            {
                connection = await dedicated.OpenConnectionAsync(ct);
                await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@class, @object);", connection) { CommandTimeout = 5 };
                take.Parameters.AddWithValue("class", AdvisoryLocks.Class);
                take.Parameters.AddWithValue("object", AdvisoryLocks.Jobs);
                if (await take.ExecuteScalarAsync(ct) is true)
                {
                    _connection = connection;
                    connection = null;
                    logger.JobLockTaken();
                    return true;
                }

                return false;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or IOException)
            {
                logger.JobLockUnavailable(exception);
                return false;
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (_connection is not null)
            {
                // Closing the unpooled connection ends the session, which releases the lock.
                await _connection.DisposeAsync();
                _connection = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
