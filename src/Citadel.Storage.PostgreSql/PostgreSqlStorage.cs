using Citadel.Storage.Cluster;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// Everything a node needs from a shared PostgreSQL database: the store (pooled connections), the
/// change feed and the job lock (each on a dedicated unpooled connection, whose session is the
/// node's presence). Owns the data sources.
/// </summary>
internal sealed class PostgreSqlStorage : IAsyncDisposable
{
    private readonly NpgsqlDataSource _pooled;
    private readonly NpgsqlDataSource _dedicated;
    private readonly PostgreSqlJobLock _jobLock;

    private PostgreSqlStorage(NpgsqlDataSource pooled, NpgsqlDataSource dedicated, TimeSpan backstopInterval, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _pooled = pooled;
        _dedicated = dedicated;
        Store = new PostgreSqlStore(pooled) { Time = time };
        ChangeFeed = new PostgreSqlChangeFeed(dedicated, backstopInterval, loggerFactory.CreateLogger<PostgreSqlChangeFeed>(), time);
        _jobLock = new PostgreSqlJobLock(dedicated, loggerFactory.CreateLogger<PostgreSqlJobLock>());
        Cluster = new PostgreSqlClusterView(pooled);
    }

    public PostgreSqlStore Store { get; }

    public IChangeFeed ChangeFeed { get; }

    public IJobLock JobLock => _jobLock;

    /// <summary>The nodes connected to the database (for <c>citadel status</c>).</summary>
    public IClusterView Cluster { get; }

    /// <summary>Where the database is, without credentials: host:port/database. Throws ArgumentException for a malformed connection string.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
    }

    /// <summary>
    /// Opens nothing yet; connections are made on first use. The connection string is Npgsql's
    /// (Host, Port, Database, Username, Password, SSL Mode…); a password may also come from
    /// PGPASSWORD or a .pgpass file, so it need not be on a command line.
    /// The node's dedicated sessions carry <paramref name="nodeId"/> in their application_name, so that
    /// every node can list the others (<see cref="PostgreSqlClusterView"/>), unless the connection string
    /// names the application itself (then that name is kept, and the node is not listed).
    /// </summary>
    public static PostgreSqlStorage Create(string connectionString, TimeSpan backstopInterval, ILoggerFactory loggerFactory, string? nodeId = null, TimeProvider? time = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var named = !string.IsNullOrEmpty(builder.ApplicationName);
        if (!named)
        {
            builder.ApplicationName = "citadel";
        }

        var pooled = new NpgsqlDataSourceBuilder(builder.ConnectionString).UseLoggerFactory(loggerFactory).Build();
        var dedicatedBuilder = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false };
        if (nodeId is not null && !named)
        {
            dedicatedBuilder.ApplicationName = PostgreSqlClusterView.ApplicationName(nodeId);
        }

        var dedicated = new NpgsqlDataSourceBuilder(dedicatedBuilder.ConnectionString).UseLoggerFactory(loggerFactory).Build();
        return new PostgreSqlStorage(pooled, dedicated, backstopInterval, loggerFactory, time ?? TimeProvider.System);
    }

    public async ValueTask DisposeAsync()
    {
        await _jobLock.DisposeAsync();
        await _dedicated.DisposeAsync();
        await _pooled.DisposeAsync();
    }
}
