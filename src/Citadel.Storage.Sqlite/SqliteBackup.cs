namespace Citadel.Storage.Sqlite;

/// <summary><see cref="SqliteSnapshot"/> behind the provider-neutral contract.</summary>
internal sealed class SqliteBackup : IStoreBackup
{
    public int KnownSchemaVersion => SqliteSnapshot.KnownSchemaVersion;

    public IStoreSnapshot Begin(string database) => SqliteSnapshot.Begin(database);

    public (int SchemaVersion, byte[]? RootKeyCheck) Describe(string database) => SqliteSnapshot.Describe(database);

    public IReadOnlyDictionary<string, long> ChainHeads(string database) => SqliteSnapshot.ChainHeads(database);
}
