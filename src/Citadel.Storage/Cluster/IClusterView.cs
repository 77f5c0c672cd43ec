namespace Citadel.Storage.Cluster;

/// <summary>The nodes sharing a store (PostgreSQL), as the database sees their sessions. For monitoring, not for coordination.</summary>
public interface IClusterView
{
    /// <summary>The nodes connected now, each once, ordered by node id.</summary>
    Task<IReadOnlyList<ClusterNode>> ListNodesAsync(CancellationToken ct);
}
