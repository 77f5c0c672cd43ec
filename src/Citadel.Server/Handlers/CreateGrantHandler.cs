using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>
/// CreateGrant: lets a principal perform some operations on the key, optionally constrained by
/// encryption context. The same Name with the same parameters returns the existing grant.
/// </summary>
internal static class CreateGrantHandler
{
    /// <summary>AWS's quotas: grants per key, and grants for one grantee on one key.</summary>
    private const int MaxGrantsPerKey = 50_000;
    private const int MaxGrantsPerGranteePerKey = 500;

    private static string[] Operations(CreateGrantRequest r) => r.Operations!.Distinct(StringComparer.Ordinal).ToArray();

    private static GrantConstraints? Constraints(CreateGrantRequest r) =>
        r.Constraints is { } c && (c.EncryptionContextEquals is not null || c.EncryptionContextSubset is not null)
            ? new GrantConstraints(c.EncryptionContextEquals, c.EncryptionContextSubset)
            : null;

    public static KmsError? Admit(Caller caller, CreateGrantRequest r)
    {
        if (r.Operations!.Count == 0)
        {
            return Errors.Validation("1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }

        return Constraints(r) is not null && Operations(r).FirstOrDefault(o => !GrantRules.ContextOperations.Contains(o) && !GrantRules.UnconstrainedOperations.Contains(o)) is { } unsupported
            ? Errors.Validation($"Grant constraints are not supported for the {unsupported} operation: it takes no encryption context.")
            : null;
    }

    public static void Facts(RequestFacts facts, CreateGrantRequest r)
    {
        var constraints = Constraints(r);
        facts.GrantOperations = Operations(r);
        facts.GranteePrincipal = r.GranteePrincipal;
        facts.RetiringPrincipal = r.RetiringPrincipal;
        facts.GrantIsForAwsResource = false;
        facts.GrantConstraints = constraints;
        facts.GrantConstraintTypes = constraints is null ? null :
            [.. constraints.EncryptionContextEquals is null ? Array.Empty<string>() : ["EncryptionContextEquals"], .. constraints.EncryptionContextSubset is null ? Array.Empty<string>() : ["EncryptionContextSubset"]];
    }

    /// <summary>A context sent with an asymmetric or HMAC key binds nothing, so a constraint on it would hold for anyone who names it.</summary>
    public static KmsError? BeforeState(Caller caller, CreateGrantRequest r, KeyRecord? key) =>
        Constraints(r) is not null && key!.Spec != KeySpec.SymmetricDefault
            ? Errors.Validation($"Grant constraints are not supported for KMS keys with key spec {Core.WireNames.Of(key.Spec)}: only symmetric encryption keys take an encryption context.")
            : null;

    public static async ValueTask<Result<CreateGrantResponse>> CreateGrantAsync(KmsRuntime kms, CreateGrantRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;
        var operations = Operations(r);
        var constraints = Constraints(r);

        var existing = await kms.Grants.ListAsync(key.Id, ct);
        var name = r.Name ?? "";
        var same = name.Length == 0 ? null : existing.FirstOrDefault(g => g.Name == name && g.GranteePrincipal == r.GranteePrincipal
            && g.RetiringPrincipal == r.RetiringPrincipal && g.Operations.Order().SequenceEqual(operations.Order())
            && GrantRules.SameConstraints(g.Constraints, constraints));
        var grantId = same?.GrantId;
        if (grantId is null)
        {
            if (existing.Count >= MaxGrantsPerKey || existing.Count(g => g.GranteePrincipal == r.GranteePrincipal) >= MaxGrantsPerGranteePerKey)
            {
                return new KmsError(KmsErrorCode.LimitExceeded, $"The grant quota for {key.Arn} has been reached.");
            }

            var grant = new GrantRecord(
                GrantTokens.NewGrantId(),
                key.Id,
                name,
                r.GranteePrincipal!,
                r.RetiringPrincipal,
                caller.Principal.AccountId,
                operations,
                constraints,
                kms.Time.GetUtcNow());
            var outcome = await kms.Grants.CreateAsync(grant, ct);
            if (outcome != StoreOutcome.Success)
            {
                return Errors.KeyNotFound(key.Arn);
            }

            grantId = grant.GrantId;
        }

        return new CreateGrantResponse(GrantTokens.Create(key.Id, grantId), grantId);
    }
}
