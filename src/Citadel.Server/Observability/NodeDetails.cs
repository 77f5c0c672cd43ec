using System.Text.Json;
using Citadel.Server.Audit;
using Citadel.Storage.Cluster;

namespace Citadel.Server.Observability;

/// <summary>What <c>citadel status</c> shows beside readiness: this node, its storage and seal, the audit backlog, the other nodes.</summary>
internal sealed class NodeDetails(string nodeId, string storageKind, string storageLocation, string sealKind, AuditWriter audit, IClusterView? cluster)
{
    public async Task WriteAsync(Utf8JsonWriter json, CancellationToken ct)
    {
        json.WriteString("version"u8, HealthEndpoints.Version);
        json.WriteString("nodeId"u8, nodeId);
        json.WriteString("storage"u8, storageKind);
        json.WriteString("storageLocation"u8, storageLocation);
        json.WriteString("seal"u8, sealKind);
        json.WriteBoolean("auditEnabled"u8, audit.Enabled);
        json.WriteNumber("auditLag"u8, audit.IndexLag);
        if (cluster is null)
        {
            return;
        }

        json.WriteStartArray("cluster"u8);
        try
        {
            foreach (var node in await cluster.ListNodesAsync(ct))
            {
                json.WriteStartObject();
                json.WriteString("nodeId"u8, node.NodeId);
                json.WriteString("address"u8, node.Address ?? "");
                json.WriteString("since"u8, node.Since);
                json.WriteBoolean("runsJobs"u8, node.RunsJobs);
                json.WriteBoolean("self"u8, node.NodeId == nodeId);
                json.WriteEndObject();
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The store is down: readiness says so; the list is just empty.
        }

        json.WriteEndArray();
    }
}
