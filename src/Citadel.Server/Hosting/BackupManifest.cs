using System.Text.Json.Serialization;

namespace Citadel.Server.Hosting;

/// <summary>
/// manifest.json of a backup, written last: a backup without one is incomplete. It names every file with
/// its size and SHA-256, and the root key's check value (a constant sealed under the root key, so a
/// restore can tell whether the seal it is given is the right one) — never the root key itself.
/// </summary>
public sealed record BackupManifest
{
    public const string FileName = "manifest.json";

    /// <summary>The manifest format this build writes and reads.</summary>
    public const int CurrentFormat = 1;

    public required int Format { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CitadelVersion { get; init; }

    /// <summary>The storage provider the backup was taken from: sqlite.</summary>
    public required string Storage { get; init; }

    public required int SchemaVersion { get; init; }

    /// <summary>Base64 of the sealed check constant, as the store holds it; null when the database had none.</summary>
    public required string? RootKeyCheck { get; init; }

    public required IReadOnlyList<BackupFile> Files { get; init; }
}

/// <summary>A file of a backup: its path relative to the backup directory (with '/'), size and SHA-256 (hex).</summary>
public sealed record BackupFile(string Path, long Size, string Sha256);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;
