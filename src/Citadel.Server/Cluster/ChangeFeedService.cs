using Citadel.Storage.Cluster;
using Microsoft.Extensions.Hosting;

namespace Citadel.Server.Cluster;

/// <summary>Runs the store's change feed for the life of the server, feeding this node's caches.</summary>
internal sealed class ChangeFeedService(IChangeFeed feed, CacheInvalidator invalidator) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => feed.RunAsync(invalidator, stoppingToken);
}
