using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Citadel.Storage.Sqlite;

/// <summary>
/// A consistent copy of a live SQLite store for `citadel backup`, and what a restore needs to know of one.
/// The copy is SQLite's online backup API in one step, through a read transaction opened first
/// (<see cref="Begin"/>): in WAL mode it never blocks the server's writers, and it copies the state of
/// that one moment. (Copying in several steps would restart whenever the server wrote between them, so
/// under load it might never end.)
/// </summary>
internal static class SqliteSnapshot
{
    /// <summary>The snapshot as the backup commands see it.</summary>
    public static IStoreBackup Backup { get; } = new SqliteBackup();

    /// <summary>The newest schema version this build knows; a database with a newer one came from a newer Citadel.</summary>
    public static int KnownSchemaVersion => SqliteMigrations.All[^1].Version;

    /// <summary>
    /// Fixes the moment of the copy: a read transaction on <paramref name="source"/>, which in WAL mode sees
    /// the database as of now for as long as it stays open and never blocks the server's writers.
    /// </summary>
    public static Moment Begin(string source)
    {
        // Read-write, because a read-only connection cannot open a WAL database whose shared-memory file
        // is missing (no server running); it writes nothing.
        var connection = Open(source, SqliteOpenMode.ReadWrite);
        try
        {
            using var begin = connection.CreateCommand();
            begin.CommandText = "BEGIN; SELECT COUNT(*) FROM sqlite_master;";
            begin.ExecuteScalar();
            return new Moment(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A read transaction on the source: what <see cref="CopyTo"/> copies is the database as of <see cref="Begin"/>.</summary>
    public sealed class Moment(SqliteConnection connection) : IStoreSnapshot
    {
        /// <summary>Copies the database as of the moment into <paramref name="destination"/>, an empty (0600) file the caller created.</summary>
        public void CopyTo(string destination)
        {
            using var to = Open(destination, SqliteOpenMode.ReadWrite);

            // The online backup API reads through the source's open read transaction, so it copies that moment.
            connection.BackupDatabase(to);

            // The copy carries the source's WAL mode in its header; a rollback-journal file is complete by
            // itself, so the backup is one file. The server that opens a restored copy sets WAL again.
            using var command = to.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=DELETE;";
            command.ExecuteNonQuery();
        }

        public void Dispose() => connection.Dispose();
    }

    /// <summary>The schema version of a database and its root key check value (null when it has none).</summary>
    public static (int SchemaVersion, byte[]? RootKeyCheck) Describe(string database)
    {
        using var connection = Open(database, SqliteOpenMode.ReadOnly);
        using var version = connection.CreateCommand();
        version.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        var schemaVersion = Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
        using var check = connection.CreateCommand();
        check.CommandText = "SELECT sealed FROM root_key_check WHERE id = 1;";
        byte[]? rootKeyCheck;
        try
        {
            rootKeyCheck = check.ExecuteScalar() as byte[];
        }
        catch (SqliteException)
        {
            // A database from before the check (schema version 6 or older) has no table for it.
            rootKeyCheck = null;
        }

        return (schemaVersion, rootKeyCheck);
    }

    /// <summary>The head (last sequence number) of each audit chain in <paramref name="database"/>.</summary>
    public static IReadOnlyDictionary<string, long> ChainHeads(string database)
    {
        using var connection = Open(database, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT chain_id, head_seq FROM audit_chains;";
        using var reader = command.ExecuteReader();
        var heads = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read())
        {
            heads[reader.GetString(0)] = reader.GetInt64(1);
        }

        return heads;
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }
}
