namespace Citadel.Server.Protocol.Requests;

/// <summary>The request of GetAuditChainStatus, Citadel's own operation: it has no members (an empty JSON object).</summary>
internal sealed class GetAuditChainStatusRequest;
