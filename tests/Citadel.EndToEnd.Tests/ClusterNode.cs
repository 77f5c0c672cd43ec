using Amazon.KeyManagementService;
using Amazon.Runtime;
using Citadel.Server.Hosting;
using Citadel.Storage.PostgreSql;
using Citadel.Tests.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>One in-process Citadel development node on a shared PostgreSQL database, on its own loopback port.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private WebApplication? _app;

    private ClusterNode(string name) => Name = name;

    public string Name { get; }

    public string Endpoint { get; private set; } = "";

    public IServiceProvider Services => _app!.Services;

    public AmazonKeyManagementServiceClient Kms { get; private set; } = null!;

    /// <param name="name">The node's name, also its PostgreSQL application_name (pg_stat_activity shows which node holds the job lock).</param>
    /// <param name="connectionString">The shared database.</param>
    /// <param name="dataDirectory">Shared by the nodes: the root key file is the seal they share.</param>
    public static async Task<ClusterNode> StartAsync(string name, string connectionString, string dataDirectory)
    {
        var node = new ClusterNode(name);
        var settings = new ServerSettings
        {
            Development = true,
            DataDirectory = dataDirectory,
            Listen = "127.0.0.1:0",
            Storage = PostgreSqlStorageProvider.Instance,
            PostgresConnectionString = connectionString + $";Application Name={name}",
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        node._app = await CitadelHost.BuildAsync(settings);
        await node._app.StartAsync();
        node.Endpoint = node._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        node.Kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = node.Endpoint,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        Kms?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }
}

/// <summary>Several nodes on one fresh database of the test process's private PostgreSQL server, sharing a data directory (the seal).</summary>
public sealed class Cluster : IAsyncDisposable
{
    private Cluster(PostgresServer server, string database, string connectionString, string dataDirectory, IReadOnlyList<ClusterNode> nodes)
    {
        Server = server;
        Database = database;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
        Nodes = nodes;
    }

    public PostgresServer Server { get; }

    public string Database { get; }

    public string ConnectionString { get; }

    public string DataDirectory { get; }

    public IReadOnlyList<ClusterNode> Nodes { get; }

    public static async Task<Cluster> StartAsync(int nodes)
    {
        var server = await PostgresServer.SharedAsync();
        var database = "c_" + Guid.NewGuid().ToString("N");
        var connectionString = await server.CreateDatabaseAsync(database);
        var dataDirectory = Directory.CreateTempSubdirectory("citadel-cluster-").FullName;

        // Started together, as a deployment would: migrations and the seal file must not race.
        var started = await Task.WhenAll(Enumerable.Range(0, nodes).Select(i => ClusterNode.StartAsync(((char)('a' + i)).ToString(), connectionString, dataDirectory)));
        return new Cluster(server, database, connectionString, dataDirectory, started);
    }

    /// <summary>The application_name of the session holding the job lock, or null when no node holds it.</summary>
    public async Task<string?> JobLockHolderAsync() => await JobLocks.HolderAsync(Server, Database);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Who holds the job lock, as an operator would ask PostgreSQL (docs/operations-postgresql.md).</summary>
public static class JobLocks
{
    public const string HolderQuery = """
        SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = 1129595980 AND l.objid = 2 AND l.granted
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
        """;

    public static async Task<string?> HolderAsync(PostgresServer server, string database) => (string?)await server.ScalarAsync(database, HolderQuery);

    /// <summary>Waits until <paramref name="accept"/> holds for the holder, for at most <paramref name="timeout"/>; returns the last holder seen.</summary>
    public static async Task<string?> WaitForHolderAsync(PostgresServer server, string database, Func<string?, bool> accept, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var holder = await HolderAsync(server, database);
            if (accept(holder) || DateTime.UtcNow > deadline)
            {
                return holder;
            }

            await Task.Delay(50);
        }
    }
}
