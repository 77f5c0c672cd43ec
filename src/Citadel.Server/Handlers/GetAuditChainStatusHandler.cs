using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// Citadel's GetAuditChainStatus (X-Amz-Target <c>Citadel.GetAuditChainStatus</c>, SigV4 service and IAM action
/// namespace <c>citadel</c>): the latest verification of the audit chains, which the audit verification job stores
/// (<see cref="Audit.AuditVerificationJob"/>). AWS has no such API (CloudTrail's log file validation is the client's
/// `aws cloudtrail validate-logs` over digest files), so it is not given an AWS name. It reads one stored result,
/// never the chains.
/// </summary>
internal static class GetAuditChainStatusHandler
{
    /// <summary>Not in the KMS model: its input, by hand (no members, nothing to validate).</summary>
    public static OperationInput<GetAuditChainStatusRequest> Input { get; } = new("GetAuditChainStatus", static (GetAuditChainStatusRequest _, ref Validation _) => { });

    public static async ValueTask<Result<GetAuditChainStatusResponse>> GetAuditChainStatusAsync(KmsRuntime kms, GetAuditChainStatusRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        new GetAuditChainStatusResponse(await kms.Audit.GetVerificationAsync(ct));
}
