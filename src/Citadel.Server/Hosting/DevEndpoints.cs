using System.Globalization;
using Citadel.Server.Jobs;
using Citadel.Server.Kms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>
/// Development-only endpoints for test suites: advance the key clock, and reset to a fresh server.
/// They exist only on a development server, which listens on loopback only; a production server
/// answers 404.
/// </summary>
internal static class DevEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/_citadel/dev/time", (DevClock clock) => Results.Json(TimeBody(clock), DevJsonContext.Default.DevTimeResponse));

        app.MapPost("/_citadel/dev/advance-time", async (HttpContext http, DevClock clock, KeyRotationJob rotation, KeyDeletionJob deletion, ImportExpiryJob expiry, MultiRegionKeyJob multiRegion, ILogger<DevClock> logger) =>
        {
            if (!Durations.TryParse(http.Request.Query["by"], out var by))
            {
                return Results.Json(
                    new DevError("ValidationException", "Give the duration to advance as ?by=, e.g. ?by=366d, ?by=12h, ?by=90s."),
                    DevJsonContext.Default.DevError,
                    statusCode: 400);
            }

            // Run the time-driven jobs now, so the caller sees their effect when this returns. The
            // clock moves with their rounds held, so their loops cannot act on it uncounted in between.
            var changed = await ClockJob.AdvanceAsync(
                [multiRegion, rotation, deletion, expiry],
                () =>
                {
                    clock.Advance(by);
                    logger.ClockAdvanced(by, clock.GetUtcNow());
                },
                http.RequestAborted);
            var (rotated, deleted, expired) = (changed[1], changed[2], changed[3]);
            var body = TimeBody(clock) with { RotatedKeys = rotated, DeletedKeys = deleted, ExpiredKeyMaterials = expired };
            return Results.Json(body, DevJsonContext.Default.DevTimeResponse);
        });

        app.MapPost("/_citadel/dev/reset", async (HttpContext http, DevClock clock, KmsRuntime kms, ILogger<DevClock> logger) =>
        {
            await kms.Store.DeleteAllKeysAsync(http.RequestAborted);
            kms.Keys.Clear();
            kms.Materials.Clear();
            clock.Reset();
            logger.StateReset();
            return Results.Json(TimeBody(clock), DevJsonContext.Default.DevTimeResponse);
        });
    }

    private static DevTimeResponse TimeBody(DevClock clock) => new(
        clock.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        (long)clock.Offset.TotalSeconds,
        0,
        0);
}

/// <summary>The body of the development clock endpoints.</summary>
internal sealed record DevTimeResponse(string Now, long OffsetSeconds, int RotatedKeys, int DeletedKeys, int ExpiredKeyMaterials = 0);

/// <summary>An error of the development endpoints, shaped like AWS errors.</summary>
internal sealed record DevError(
    [property: System.Text.Json.Serialization.JsonPropertyName("__type")] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(DevTimeResponse))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DevError))]
internal sealed partial class DevJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
