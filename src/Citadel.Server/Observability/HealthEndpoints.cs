using System.Buffers;
using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Server.Observability;

/// <summary>
/// GET /health (as before: the process answers), /health/live (the same, by its usual name) and
/// /health/ready (200 or 503 with a JSON body saying which part is down). Anyone may ask whether the
/// node is ready and why not; the details (version, storage location, node id, audit lag, the other
/// nodes) only a caller on this machine gets, and not through a proxy: they map the deployment.
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>The server's version, as <c>citadel status</c> prints it.</summary>
    public static readonly string Version =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Text("ok"));
        app.MapGet("/health/live", () => Results.Text("ok"));
        app.MapGet("/health/ready", ReadyAsync);
    }

    private static async Task ReadyAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var report = await services.GetRequiredService<Readiness>().CheckAsync();
        var details = IsLocal(http) ? services.GetRequiredService<NodeDetails>() : null;
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("status"u8, report.Ready ? "ready" : "unavailable");
            json.WriteStartObject("checks"u8);
            json.WriteString("storage"u8, report.Storage ?? "ok");
            json.WriteString("seal"u8, report.Seal ?? "ok");
            json.WriteString("audit"u8, report.Audit ?? "ok");
            json.WriteEndObject();
            if (details is not null)
            {
                await details.WriteAsync(json, http.RequestAborted);
            }

            json.WriteEndObject();
        }

        var response = http.Response;
        response.StatusCode = report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, http.RequestAborted);
    }

    /// <summary>A caller on this machine that did not come through a proxy (which would add X-Forwarded-For).</summary>
    internal static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        && !http.Request.Headers.ContainsKey("X-Forwarded-For") && !http.Request.Headers.ContainsKey("Forwarded");
}
