using System.Diagnostics.Metrics;
using System.Net;
using Citadel.Server.Audit;
using Citadel.Server.Hosting;
using Citadel.Storage;
using Citadel.Storage.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Citadel.Server.Observability;

/// <summary>
/// Registers what monitoring needs (readiness, request metrics, the key gauge) and, when metrics are
/// on, OpenTelemetry's Prometheus exporter for every meter named Citadel*, at GET /metrics.
/// </summary>
internal static class MetricsSetup
{
    public const string MetricsPath = "/metrics";

    /// <summary>Whether this server serves /metrics: the setting, else on for development servers only.</summary>
    public static bool Enabled(ServerSettings settings) => settings.Observability.Metrics ?? settings.Development;

    /// <summary>The separate metrics address, or null for the main one; throws with a one-line fix for a bad one.</summary>
    public static IPEndPoint? ParseListen(ServerSettings settings, IPEndPoint main)
    {
        if (settings.Observability.MetricsListen is not { } listen || !Enabled(settings))
        {
            return null;
        }

        if (!IPEndPoint.TryParse(listen, out var endpoint) || endpoint.Port == 0)
        {
            throw new InvalidOperationException($"the metrics address must be an address and port such as 127.0.0.1:9464, but was '{listen}' (--metrics-listen, or metrics.listen: in the configuration file).");
        }

        if (endpoint.Port == main.Port)
        {
            throw new InvalidOperationException($"the metrics address {listen} uses the port of the API ({settings.Listen}): choose another port (--metrics-listen, or metrics.listen: in the configuration file).");
        }

        if (settings.Development && !IPAddress.IsLoopback(endpoint.Address))
        {
            throw new InvalidOperationException($"Development mode listens on loopback only, but the metrics address was {listen}. Use 127.0.0.1 or [::1].");
        }

        return endpoint;
    }

    public static void AddObservability(IServiceCollection services, ServerSettings settings, (string Provider, string Location) storage)
    {
        services.AddSingleton(settings.Observability);
        services.AddSingleton<RequestMetrics>();
        services.AddSingleton(sp =>
        {
            var store = sp.GetRequiredService<IStore>();
            return new Readiness(store.GetRootKeyCheckAsync, sp.GetRequiredService<Core.Crypto.ISeal>(), sp.GetRequiredService<AuditWriter>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Readiness>>());
        });
        services.AddSingleton(sp => new NodeDetails(
            settings.Audit.ChainId,
            storage.Provider,
            storage.Location,
            settings.Pkcs11 is null ? "file" : "pkcs11",
            sp.GetRequiredService<AuditWriter>(),
            sp.GetService<IClusterView>()));
        if (!Enabled(settings))
        {
            return;
        }

        services.AddSingleton(sp => new KeyCounts(sp.GetRequiredService<IStoreStatistics>(), sp.GetRequiredService<TimeProvider>(), settings.Observability, sp.GetRequiredService<IMeterFactory>()));
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("citadel", serviceVersion: HealthEndpoints.Version, serviceInstanceId: settings.Audit.ChainId))
            .WithMetrics(metrics => metrics
            .AddMeter(CitadelMetrics.MeterPrefix + "*")
            .AddPrometheusExporter(o =>
            {
                o.DisableTotalNameSuffixForCounters = false;

                // Every scrape is computed afresh (OpenTelemetry's default reuses one for 300 ms).
                // Collection is cheap, and the key gauge caches its database count itself.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
    }

    public static void Map(WebApplication app, ServerSettings settings, IPEndPoint? metricsEndpoint)
    {
        if (!Enabled(settings))
        {
            return;
        }

        // The gauge registers its instrument when created.
        app.Services.GetRequiredService<KeyCounts>();
        if (metricsEndpoint is null)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath);
            return;
        }

        // The metrics port serves /metrics and the health routes, nothing else; the API port does not serve /metrics.
        var port = metricsEndpoint.Port;
        app.Use((http, next) =>
        {
            var onMetricsPort = http.Connection.LocalPort == port;
            var path = http.Request.Path;
            var allowed = onMetricsPort
                ? path.Equals(MetricsPath, StringComparison.Ordinal) || path.StartsWithSegments("/health", StringComparison.Ordinal)
                : !path.Equals(MetricsPath, StringComparison.Ordinal);
            if (allowed)
            {
                return next(http);
            }

            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
    }
}
