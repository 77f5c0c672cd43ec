using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Storage;

/// <summary>
/// A storage provider as the server and the administration commands use it. Each provider's assembly
/// has one (<c>SqliteStorageProvider.Instance</c>, <c>PostgreSqlStorageProvider.Instance</c>); the program
/// that hosts the server (the CLI) chooses it and hands it over, so the server references no provider.
/// </summary>
public interface IStorageProvider
{
    /// <summary>The provider's name in the start-up log and in metrics: <c>sqlite</c> or <c>postgresql</c>.</summary>
    string Name { get; }

    /// <summary>Whether the store belongs to one process (its data directory is then locked exclusively), rather than shared by several nodes.</summary>
    bool SingleNode { get; }

    /// <summary>The online backup of this provider's store, or null when the database has its own tools (PostgreSQL: pg_dump).</summary>
    IStoreBackup? Backup { get; }

    /// <summary>
    /// Registers a server node's store under every store contract, with its change feed and job lock;
    /// nothing is opened before first use. Returns where the store is, without credentials, for the start-up log.
    /// </summary>
    /// <exception cref="InvalidOperationException">The location is incomplete or malformed; the message says what to pass.</exception>
    string Register(IServiceCollection services, StorageLocation location);

    /// <summary>
    /// Opens the store of an existing deployment for a command run without a server (<c>citadel iam</c>,
    /// <c>citadel audit</c>, <c>citadel rekey</c>). Creates nothing: a data directory that holds no
    /// database is refused, so a command run in the wrong folder says so.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no store there, or the location is malformed; the message says what to pass.</exception>
    OpenedStore Open(StorageLocation location);
}
