using Citadel.Server.Jobs;
using Citadel.Server.SigV4;
using Citadel.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Authorization;

/// <summary>
/// Notices identity changes made outside this process (the `citadel iam` command on the data
/// directory, another node) within a second, and drops the cached identities and access keys.
/// </summary>
internal sealed class IdentitySyncJob(IStore store, IdentityDirectory identities, AccessKeyCache accessKeys, Kms.ServiceCatalog services, ILogger<IdentitySyncJob> logger) : BackgroundService
{
    // The system clock, not the registered one: another process changes identities in real time.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        JobLoop.RunAsync(nameof(IdentitySyncJob), RunOnceAsync, TimeSpan.FromSeconds(1), TimeProvider.System, logger, stoppingToken);

    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var version = await store.GetIdentityVersionAsync(ct);
        if (version == identities.KnownVersion)
        {
            return 0;
        }

        identities.Clear();
        accessKeys.Clear();
        services.Clear();
        identities.KnownVersion = version;
        return 1;
    }
}
