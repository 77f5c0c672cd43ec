using Microsoft.Extensions.Logging;

namespace Citadel.Server.Audit;

/// <summary>Log messages of the audit verification job. Ids 1640–1649. Next free id: 1643.</summary>
internal static partial class VerificationLog
{
    [LoggerMessage(EventId = 1640, Level = LogLevel.Error, Message = "The audit trail is broken: chain {Chain}, {Problem} ({Problems} problems in all). Run `citadel audit verify` for the whole report")]
    public static partial void ChainBroken(this ILogger logger, string chain, string problem, int problems);

    [LoggerMessage(EventId = 1641, Level = LogLevel.Debug, Message = "The audit trail verified intact: {Chains} chains, {Records} records")]
    public static partial void TrailIntact(this ILogger logger, int chains, long records);

    [LoggerMessage(EventId = 1642, Level = LogLevel.Warning, Message = "Record {Sequence} of audit chain {Chain}, where the last verification ended, is not the record it verified (changed, replaced or removed): walking the whole chain")]
    public static partial void AnchorChanged(this ILogger logger, string chain, long sequence);
}
