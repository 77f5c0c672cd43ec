using Citadel.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Observability;

/// <summary>The console logger: text or JSON lines, the minimum level, and the access log's category.</summary>
internal static class LogSetup
{
    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    public static void AddConsole(ILoggingBuilder logging, ServerSettings settings)
    {
        var options = settings.Observability;
        if (options.LogFormat == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = TimestampFormat.TrimEnd();
                o.UseUtcTimestamp = true;
                o.IncludeScopes = false;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = TimestampFormat;
                o.UseUtcTimestamp = true;
            });
        }

        logging.SetMinimumLevel(settings.LogLevel);
        if (!options.AccessLog)
        {
            logging.AddFilter(RequestMetrics.AccessLogCategory, LogLevel.None);
        }
    }
}
