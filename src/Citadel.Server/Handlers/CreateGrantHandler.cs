using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
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

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, CreateGrantRequest r)
    {
        if (r.Operations!.Count == 0)
        {
            return Errors.Validation("1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1");
        }

        var operations = r.Operations.Distinct(StringComparer.Ordinal).ToArray();
        var constraints = r.Constraints is { } c && (c.EncryptionContextEquals is not null || c.EncryptionContextSubset is not null)
            ? new GrantConstraints(c.EncryptionContextEquals, c.EncryptionContextSubset)
            : null;
        if (constraints is not null && operations.FirstOrDefault(o => !GrantRules.ContextOperations.Contains(o) && !GrantRules.UnconstrainedOperations.Contains(o)) is { } unsupported)
        {
            return Errors.Validation($"Grant constraints are not supported for the {unsupported} operation: it takes no encryption context.");
        }

        ctx.Facts.GrantOperations = operations;
        ctx.Facts.GranteePrincipal = r.GranteePrincipal;
        ctx.Facts.RetiringPrincipal = r.RetiringPrincipal;
        ctx.Facts.GrantIsForAwsResource = false;
        ctx.Facts.GrantConstraints = constraints;
        ctx.Facts.GrantConstraintTypes = constraints is null ? null :
            [.. constraints.EncryptionContextEquals is null ? Array.Empty<string>() : ["EncryptionContextEquals"], .. constraints.EncryptionContextSubset is null ? Array.Empty<string>() : ["EncryptionContextSubset"]];
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        if (!key.IsSuccess)
        {
            return key.Error;
        }

        if (constraints is not null && key.Value.Spec != KeySpec.SymmetricDefault)
        {
            // A context sent with an asymmetric or HMAC key binds nothing, so a constraint on it would hold for anyone who names it.
            return Errors.Validation($"Grant constraints are not supported for KMS keys with key spec {Core.WireNames.Of(key.Value.Spec)}: only symmetric encryption keys take an encryption context.");
        }

        if ((KeyStateRules.CheckCryptographicUse(key.Value) ?? Steps.DryRun(r.DryRun)) is { } refused)
        {
            return refused;
        }

        var existing = await ctx.Kms.Store.ListGrantsAsync(key.Value.Id, ctx.Aborted);
        var name = r.Name ?? "";
        var same = name.Length == 0 ? null : existing.FirstOrDefault(g => g.Name == name && g.GranteePrincipal == r.GranteePrincipal
            && g.RetiringPrincipal == r.RetiringPrincipal && g.Operations.Order().SequenceEqual(operations.Order())
            && GrantRules.SameConstraints(g.Constraints, constraints));
        var grantId = same?.GrantId;
        if (grantId is null)
        {
            if (existing.Count >= MaxGrantsPerKey || existing.Count(g => g.GranteePrincipal == r.GranteePrincipal) >= MaxGrantsPerGranteePerKey)
            {
                return new KmsError(KmsErrorCode.LimitExceeded, $"The grant quota for {key.Value.Arn} has been reached.");
            }

            var grant = new GrantRecord(
                GrantTokens.NewGrantId(),
                key.Value.Id,
                name,
                r.GranteePrincipal!,
                r.RetiringPrincipal,
                ctx.Principal.AccountId,
                operations,
                constraints,
                ctx.Kms.Time.GetUtcNow());
            var outcome = await ctx.Kms.Store.CreateGrantAsync(grant, ctx.Aborted);
            ctx.Kms.Authorizer.Grants.Invalidate(key.Value.Id);
            if (outcome != StoreOutcome.Success)
            {
                return Errors.KeyNotFound(key.Value.Arn);
            }

            grantId = grant.GrantId;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteString("GrantToken"u8, GrantTokens.Create(key.Value.Id, grantId));
        json.WriteString("GrantId"u8, grantId);
        json.WriteEndObject();
        return null;
    }
}
