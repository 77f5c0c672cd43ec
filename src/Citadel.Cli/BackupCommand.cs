using System.CommandLine;
using Citadel.Server.Hosting;
using Citadel.Storage.Sqlite;

namespace Citadel.Cli;

/// <summary>`citadel backup` and `citadel restore`: an online backup of a SQLite data directory, and its restore into a new one.</summary>
internal static class BackupCommand
{
    /// <summary>What `citadel backup` says of a PostgreSQL deployment, whose database it does not copy.</summary>
    public const string PostgresAdvice =
        "this deployment keeps its data in PostgreSQL: back the database up with pg_dump or a base backup (pg_basebackup), and keep the seal's root key apart from it; see docs/backup-and-rekey.md.";

    public static Command Build()
    {
        var where = new AdminOptions();
        var output = new Option<string>("--out")
        {
            Description = "The directory to write the backup into: a new or empty one (created 0700, files 0600).",
            Required = true,
        };
        var command = new Command(
            "backup",
            "Take a consistent backup of a SQLite data directory while its server runs: the database as of one moment, then the audit journals, "
            + "and manifest.json (version, time, schema version, the root key's check value, every file's SHA-256). The root key is never in it: "
            + "keep the root key file (or the HSM's key) apart. For PostgreSQL, use pg_dump or a base backup (docs/backup-and-rekey.md).")
        {
            where.DataDir, where.Postgres, where.Config, output,
        };
        command.SetAction(async (p, ct) =>
        {
            try
            {
                var dataDirectory = p.GetValue(where.DataDir)!;
                if (p.GetValue(where.Config) is { } configPath)
                {
                    var config = ConfigFile.Load(configPath, Environment.GetEnvironmentVariable);
                    if (config.Storage == "postgres")
                    {
                        return await FailAsync("backup", PostgresAdvice);
                    }

                    dataDirectory = config.DataDirectory;
                }
                else if (p.GetValue(where.Postgres) is not null)
                {
                    return await FailAsync("backup", PostgresAdvice);
                }

                await new BackupWriter(SqliteStorageProvider.Instance.Backup, Console.Error, TimeProvider.System).WriteAsync(dataDirectory, p.GetValue(output)!, ct);
                return 0;
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                return await FailAsync("backup", exception.Message);
            }
        });
        return command;
    }

    public static Command BuildRestore()
    {
        var from = new Option<string>("--from") { Description = "The backup directory (what citadel backup --out wrote).", Required = true };
        var dataDir = new Option<string>("--data-dir") { Description = "The data directory to restore into: a new or empty one.", Required = true };
        var rootKey = new Option<string?>("--root-key-file")
        {
            Description = "The root key file the backup's data was sealed with, kept apart from the backup; it is copied into the data directory as root.key.",
        };
        var config = new Option<string?>("--config")
        {
            Description = "A production configuration file: its seal (key file or PKCS#11 token) is checked against the backup and stays where it is.",
        };
        var command = new Command(
            "restore",
            "Restore a backup into a new or empty data directory. Refuses, writing nothing, a backup whose files do not match their SHA-256 in its manifest, "
            + "a database schema newer than this Citadel knows, or a root key (--root-key-file, or the seal of --config) other than the one the backup was sealed with.")
        {
            from, dataDir, rootKey, config,
        };
        command.SetAction(async (p, ct) =>
        {
            try
            {
                var restorer = new BackupRestorer(SqliteStorageProvider.Instance.Backup, Console.Error);
                if (p.GetValue(config) is { } configPath)
                {
                    var file = ConfigFile.Load(configPath, Environment.GetEnvironmentVariable);
                    await restorer.RestoreAsync(p.GetValue(from)!, p.GetValue(dataDir)!, file.RootKeyFile ?? p.GetValue(rootKey), file.Pkcs11, installKeyFile: false, ct);
                }
                else
                {
                    await restorer.RestoreAsync(p.GetValue(from)!, p.GetValue(dataDir)!, p.GetValue(rootKey), null, installKeyFile: true, ct);
                }

                return 0;
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                return await FailAsync("restore", exception.Message);
            }
        });
        return command;
    }

    private static async Task<int> FailAsync(string command, string message)
    {
        await Console.Error.WriteLineAsync($"citadel {command}: {message}");
        return 2;
    }
}
