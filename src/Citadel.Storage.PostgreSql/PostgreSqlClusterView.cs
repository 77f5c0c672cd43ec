using Citadel.Storage.Cluster;
using Npgsql;

namespace Citadel.Storage.PostgreSql;

/// <summary>
/// The nodes of a cluster as PostgreSQL sees them: every node keeps dedicated sessions (the change feed,
/// the job lock) whose application_name is <see cref="Prefix"/> and its node id, so the live nodes are
/// the distinct names among the sessions, and the job runner is the one whose session holds the advisory
/// lock. Nothing to register or expire: a node that dies has no session.
/// </summary>
internal sealed class PostgreSqlClusterView(NpgsqlDataSource pooled) : IClusterView
{
    public const string Prefix = "citadel:";

    /// <summary>PostgreSQL keeps the first 63 bytes of application_name (NAMEDATALEN - 1).</summary>
    public static string ApplicationName(string nodeId)
    {
        var name = Prefix + nodeId;
        return name.Length <= 63 ? name : name[..63];
    }

    public async Task<IReadOnlyList<ClusterNode>> ListNodesAsync(CancellationToken ct)
    {
        await using var command = pooled.CreateCommand("""
            SELECT a.application_name, min(host(a.client_addr)), min(a.backend_start),
                   bool_or(EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
                                   AND l.classid = @class::oid AND l.objid = @object::oid AND l.objsubid = 2))
            FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.application_name LIKE 'citadel:%'
            GROUP BY a.application_name
            ORDER BY a.application_name;
            """);
        command.Parameters.AddWithValue("class", (long)AdvisoryLocks.Class);
        command.Parameters.AddWithValue("object", (long)AdvisoryLocks.Jobs);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var nodes = new List<ClusterNode>();
        while (await reader.ReadAsync(ct))
        {
            nodes.Add(new ClusterNode(
                reader.GetString(0)[Prefix.Length..],
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetBoolean(3)));
        }

        return nodes;
    }
}
