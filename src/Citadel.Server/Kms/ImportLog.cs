using Microsoft.Extensions.Logging;

namespace Citadel.Server.Kms;

/// <summary>Log messages of imported key material and seeding. Ids 1100–1119. Next free id: 1104.</summary>
internal static partial class ImportLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Deleted expired key material {KeyMaterialId} of {KeyArn}")]
    public static partial void KeyMaterialExpired(this ILogger logger, string keyArn, string keyMaterialId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Seed file {Path}: created {Created} key(s), {Unchanged} already present")]
    public static partial void Seeded(this ILogger logger, string path, int created, int unchanged);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Seed file {Path}: created key {KeyArn}")]
    public static partial void SeededKey(this ILogger logger, string path, string keyArn);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Seed file {Path}: created alias {AliasName} for {KeyArn}")]
    public static partial void SeededAlias(this ILogger logger, string path, string aliasName, string keyArn);
}
