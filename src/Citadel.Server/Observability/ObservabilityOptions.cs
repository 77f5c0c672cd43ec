namespace Citadel.Server.Observability;

/// <summary>Metrics and log settings (the configuration file's <c>metrics:</c> and <c>logging:</c>, or serve's flags).</summary>
public sealed class ObservabilityOptions
{
    /// <summary>
    /// Whether GET /metrics serves Prometheus metrics. Null (the default): on for development servers,
    /// off in production, where the operator chooses (and, with <see cref="MetricsListen"/>, where).
    /// </summary>
    public bool? Metrics { get; set; }

    /// <summary>
    /// A separate address and port for /metrics (and the health routes), e.g. 127.0.0.1:9464 (the port
    /// Prometheus's registry gives the OpenTelemetry exporter), so that metrics stay off the public port.
    /// Null (the default): /metrics is on the main listen address.
    /// </summary>
    public string? MetricsListen { get; set; }

    /// <summary>How console logs are written: text (one line each, the default) or JSON (one object per line, for log shippers).</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary>
    /// Whether each API request writes one line at Information in the category Citadel.Access (operation,
    /// status, error code, duration, principal, key, request id). Defaults to true; the line shows only
    /// when the log level is Information or below.
    /// </summary>
    public bool AccessLog { get; set; } = true;

    /// <summary>How long a count of keys by state is reused by the citadel.keys gauge. Defaults to 15 seconds, Prometheus's usual scrape interval.</summary>
    public TimeSpan KeyCountInterval { get; set; } = TimeSpan.FromSeconds(15);

    internal void CopyFrom(ObservabilityOptions other)
    {
        Metrics = other.Metrics;
        MetricsListen = other.MetricsListen;
        LogFormat = other.LogFormat;
        AccessLog = other.AccessLog;
        KeyCountInterval = other.KeyCountInterval;
    }
}

/// <summary>The console log format.</summary>
public enum LogFormat
{
    /// <summary>One line per message: time, level, category, message.</summary>
    Text = 1,

    /// <summary>One JSON object per line (Microsoft.Extensions.Logging's JSON console formatter), with each placeholder as a field.</summary>
    Json = 2,
}
