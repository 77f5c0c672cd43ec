namespace Citadel.Storage.Cluster;

/// <summary>A node connected to the shared store: its id, the address the database sees, since when, and whether it holds the job lock.</summary>
public sealed record ClusterNode(string NodeId, string? Address, DateTimeOffset Since, bool RunsJobs);
