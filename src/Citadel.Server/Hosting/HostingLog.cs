using Microsoft.Extensions.Logging;

namespace Citadel.Server.Hosting;

/// <summary>Log messages of TLS and the listener. Ids 1180–1199. Next free id: 1184.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1180, Level = LogLevel.Information, Message = "TLS certificate {Path} loaded: {Subject}, valid until {NotAfter:u}")]
    public static partial void TlsCertificateLoaded(this ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 1181, Level = LogLevel.Warning, Message = "The TLS certificate files changed but were not loaded; the previous certificate is still served: {Reason}")]
    public static partial void TlsCertificateReloadFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 1182, Level = LogLevel.Warning, Message = "The TLS certificate {Path} is valid from {NotBefore:u} to {NotAfter:u}, not now: clients will refuse it")]
    public static partial void TlsCertificateNotValidNow(this ILogger logger, string path, DateTime notBefore, DateTime notAfter);

    [LoggerMessage(EventId = 1183, Level = LogLevel.Warning, Message = "Development server listening on {Listen}, every interface: anyone who can reach it can use the well-known credentials test/test. Only inside a container or a private network.")]
    public static partial void DevelopmentListensOnEveryInterface(this ILogger logger, string listen);
}
