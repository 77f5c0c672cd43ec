namespace Citadel.Server.Audit;

/// <summary>
/// What requestParameters and responseElements may hold, per operation: an allow-list derived from the KMS model by
/// scripts/gen-audit-members.py (AuditMembers.g.cs). Anything else in a body — a member of the wrong case, an unknown
/// member, a secret — is never recorded.
/// </summary>
internal static partial class AuditMembers
{
    /// <summary>The members of <paramref name="operation"/>'s request that are recorded, or null for an operation the model does not have.</summary>
    public static AuditShape? Request(string operation) => Requests.GetValueOrDefault(operation);

    /// <summary>The members of <paramref name="operation"/>'s response that are recorded, or null for an operation the model does not have.</summary>
    public static AuditShape? Response(string operation) => Responses.GetValueOrDefault(operation);
}
