namespace Citadel.Storage;

/// <summary>Where a store is and how a node uses it; each provider reads what concerns it.</summary>
/// <param name="DataDirectory">The data directory: the SQLite database is citadel.db in it.</param>
public sealed record StorageLocation(string DataDirectory)
{
    /// <summary>The database's connection string, for a provider of several nodes (PostgreSQL); null otherwise.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Whether every commit waits for the disk (SQLite synchronous=FULL), or only for the operating system.</summary>
    public bool DurableSync { get; init; } = true;

    /// <summary>How often a node of several checks that it missed no change notification (PostgreSQL).</summary>
    public TimeSpan ChangeCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The node's name among several (its audit chain id), shown to the other nodes; null for none.</summary>
    public string? NodeId { get; init; }

    /// <summary>Runs with the database file's path before an embedded store opens it (the server creates it readable by its owner only).</summary>
    public Action<string>? BeforeOpen { get; init; }
}
