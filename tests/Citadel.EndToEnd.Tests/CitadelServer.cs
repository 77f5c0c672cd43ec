using Amazon.KeyManagementService;
using Amazon.Runtime;
using Citadel.Server.Hosting;
using Citadel.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>A real Citadel development server on a free loopback port, with its own data directory.</summary>
public sealed class CitadelServer : IAsyncDisposable
{
    private WebApplication? _app;

    private CitadelServer(string dataDirectory, bool ownsDirectory)
    {
        DataDirectory = dataDirectory;
        OwnsDirectory = ownsDirectory;
    }

    public string DataDirectory { get; }

    public bool OwnsDirectory { get; }

    public string Endpoint { get; private set; } = "";

    /// <summary>Changes to the development settings, applied at every (re)start: TLS, trusted proxies.</summary>
    public Action<ServerSettings>? Configure { get; set; }

    /// <summary>The seed file the server loads at (re)start, if any.</summary>
    public string? SeedFile { get; set; }

    public IServiceProvider Services => _app!.Services;

    /// <summary>Services registered after the server's own (at every start), e.g. a store that fails on purpose.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    public static async Task<CitadelServer> StartAsync(string? dataDirectory = null, string? seedFile = null, Action<ServerSettings>? configure = null, Action<IServiceCollection>? services = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "citadel-e2e-" + Guid.NewGuid().ToString("N"));
        var server = new CitadelServer(dataDirectory, owns) { SeedFile = seedFile, Configure = configure, ConfigureServices = services };
        await server.StartAppAsync();
        return server;
    }

    /// <summary>Stops the server (its data directory free for the CLI) until <see cref="RestartAsync"/>.</summary>
    public Task StopAsync() => StopAppAsync();

    /// <summary>Stops the server and starts a new one on the same data directory (a new port).</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public AmazonKeyManagementServiceClient Client(string accessKeyId = "test", string secret = "test", string region = "us-east-1") =>
        new(new BasicAWSCredentials(accessKeyId, secret), new AmazonKeyManagementServiceConfig
        {
            ServiceURL = Endpoint,
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        });

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        if (OwnsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task StartAppAsync()
    {
        var settings = new ServerSettings
        {
            Storage = SqliteStorageProvider.Instance,
            Development = true,
            DataDirectory = DataDirectory,
            Listen = "127.0.0.1:0",
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            SeedFile = SeedFile,
        };
        Configure?.Invoke(settings);
        _app = await CitadelHost.BuildAsync(settings, ConfigureServices);
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Endpoint = addresses.First();
    }

    private async Task StopAppAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }
}

/// <summary>One server shared by the tests of a collection; each test makes its own keys.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public CitadelServer Server { get; private set; } = null!;

    public AmazonKeyManagementServiceClient Kms { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CitadelServer.StartAsync();
        Kms = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Kms.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition("server")]
public sealed class ServerGroup : ICollectionFixture<ServerFixture>;
