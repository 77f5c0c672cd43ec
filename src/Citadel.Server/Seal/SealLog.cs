using Microsoft.Extensions.Logging;

namespace Citadel.Server.Seal;

/// <summary>Log messages of the seal and root key rotation. Ids 1120–1139. Next free id: 1122.</summary>
internal static partial class SealLog
{
    [LoggerMessage(EventId = 1120, Level = LogLevel.Information, Message = "Root key rotation: now sealing under {Target}; secrets under the previous root key still open")]
    public static partial void SealingUnderNewRootKey(this ILogger logger, string target);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Error, Message = "Root key rotation to {Target} is under way, but this server cannot open that key: it keeps sealing under the old one; stop it, or give it the rotation's PKCS#11 token")]
    public static partial void RotationTargetUnavailable(this ILogger logger, string target);
}
