using Amazon.KeyManagementService;

namespace Citadel.EndToEnd.Tests;

/// <summary>A server of its own for one audit test class, so the trail it reads holds only that class's events.</summary>
public sealed class AuditServerFixture : IAsyncLifetime
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
