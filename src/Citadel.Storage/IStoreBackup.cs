namespace Citadel.Storage;

/// <summary>The online backup of an embedded store (<c>citadel backup</c> and <c>citadel restore</c>).</summary>
public interface IStoreBackup
{
    /// <summary>The newest schema version this build knows; a database with a newer one came from a newer Citadel.</summary>
    int KnownSchemaVersion { get; }

    /// <summary>Fixes the moment of the copy on the live database <paramref name="database"/>, without blocking its server's writers.</summary>
    IStoreSnapshot Begin(string database);

    /// <summary>The schema version of a database file and its root key check value (null when it has none).</summary>
    (int SchemaVersion, byte[]? RootKeyCheck) Describe(string database);

    /// <summary>
    /// The last sequence number of each audit chain a database file holds (its head): a backup cuts the journal
    /// copies so that what follows the head in them is one unbroken sequence, which the restored server's drain moves
    /// into its store.
    /// </summary>
    IReadOnlyDictionary<string, long> ChainHeads(string database);
}
