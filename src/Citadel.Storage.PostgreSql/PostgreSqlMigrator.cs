using Npgsql;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// Applies the migrations a database lacks, each in its own transaction, while holding a session
/// advisory lock: nodes that start together take turns, and the second finds the work done.
/// </summary>
internal static class PostgreSqlMigrator
{
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@class, @object);", connection))
        {
            lockCommand.Parameters.AddWithValue("class", AdvisoryLocks.Class);
            lockCommand.Parameters.AddWithValue("object", AdvisoryLocks.Migrations);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await using (var create = new NpgsqlCommand("""
                CREATE TABLE IF NOT EXISTS schema_version (
                    version     integer PRIMARY KEY,
                    description text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                );
                """, connection))
            {
                await create.ExecuteNonQueryAsync(ct);
            }

            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM schema_version;", connection))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            if (applied.Count > 0)
            {
                Migration.RefuseNewer(applied.Max(), migrations);
            }

            foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var step = new NpgsqlCommand(migration.Sql, connection, tx))
                {
                    await step.ExecuteNonQueryAsync(ct);
                }

                await using (var record = new NpgsqlCommand("INSERT INTO schema_version (version, description) VALUES (@v, @d);", connection, tx))
                {
                    record.Parameters.AddWithValue("v", migration.Version);
                    record.Parameters.AddWithValue("d", migration.Description);
                    await record.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
            }
        }
        finally
        {
            // Released explicitly so the pooled connection goes back clean. A broken connection has
            // ended its session, and the session's locks with it: nothing to release then.
            try
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@class, @object);", connection);
                unlock.Parameters.AddWithValue("class", AdvisoryLocks.Class);
                unlock.Parameters.AddWithValue("object", AdvisoryLocks.Migrations);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (NpgsqlException)
            {
            }
        }
    }
}

/// <summary>Advisory lock ids: a class for Citadel ("CTDL") and one object per purpose. Documented in docs/operations-postgresql.md.</summary>
internal static class AdvisoryLocks
{
    public const int Class = 0x4354444C;

    public const int Migrations = 1;

    public const int Jobs = 2;

    /// <summary>The class of the per-chain audit locks (the object is the chain id's hash).</summary>
    public const int AuditChains = 0x41554454;
}
