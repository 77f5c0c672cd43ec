using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.Kms;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Authorization;

/// <summary>
/// The authorize step of every request: the key policy, the caller's identity policies and the
/// key's grants, evaluated as AWS does (<see cref="PolicyEvaluator"/>). Denials carry AWS's
/// AccessDeniedException wording; at debug level the log says which statement decided.
/// </summary>
internal sealed class Authorizer(IdentityDirectory identities, GrantDirectory grants, KeyRepository keys, ILogger<Authorizer> logger)
{
    public GrantDirectory Grants => grants;

    public IdentityDirectory Identities => identities;

    /// <summary>Authorizes <paramref name="action"/> (e.g. kms:Encrypt) on the key.</summary>
    public ValueTask<KmsError?> AuthorizeKeyAsync(Caller caller, KeyRecord key, string action, CancellationToken ct) => AuthorizeKeyAsync(caller, key, action, explicitDenyOnly: false, ct);

    private async ValueTask<KmsError?> AuthorizeKeyAsync(Caller caller, KeyRecord key, string action, bool explicitDenyOnly, CancellationToken ct)
    {
        var facts = caller.Facts;
        facts.Key = key;
        if (key.Spec != KeySpec.SymmetricDefault)
        {
            // Only symmetric encryption keys bind the encryption context to what they produce; one sent
            // with any other key proves nothing, so no condition or grant constraint may be met by it.
            facts.EncryptionContext = null;
        }

        var keyPolicy = PolicyCache.Get(key.Policy);
        if (keyPolicy is not null)
        {
            if (keyPolicy.UsesResourceTags)
            {
                facts.ResourceTags = await keys.GetTagsAsync(key.Id, ct);
            }

            if (keyPolicy.UsesResourceAliases)
            {
                facts.ResourceAliases = await keys.GetAliasNamesAsync(key, ct);
            }
        }

        var identityPolicies = await IdentityPoliciesAsync(caller.Principal, ct);
        for (var i = 0; i < identityPolicies.Count; i++)
        {
            var policy = identityPolicies[i];
            if (policy.UsesResourceTags && facts.ResourceTags is null)
            {
                facts.ResourceTags = await keys.GetTagsAsync(key.Id, ct);
            }

            if (policy.UsesResourceAliases && facts.ResourceAliases is null)
            {
                facts.ResourceAliases = await keys.GetAliasNamesAsync(key, ct);
            }
        }

        var grantAllows = await GrantAllowsAsync(caller, key, action, ct);
        var request = AuthorizationRequest.For(caller.Principal, action, key.Arn, key.AccountId, facts);

        // A key whose stored policy does not parse allows nothing but explicit grants.
        var result = keyPolicy is null
            ? (grantAllows ? new AuthorizationResult(true, Denial.None, null, "grant") : new AuthorizationResult(false, Denial.NoResourcePolicyAllows, null, ""))
            : PolicyEvaluator.Evaluate(request, keyPolicy, identityPolicies, grantAllows);
        return explicitDenyOnly && result.Denial is not (Denial.ExplicitDenyInResourcePolicy or Denial.ExplicitDenyInIdentityPolicy)
            ? null
            : Decide(caller, request, result);
    }

    /// <summary>
    /// Refuses <paramref name="action"/> on the key only when a policy explicitly denies it: for RetireGrant,
    /// which the grant itself authorizes, but which a Deny on kms:RetireGrant still refuses (developer
    /// guide, "Retiring and revoking grants").
    /// </summary>
    public ValueTask<KmsError?> ExplicitDenyAsync(Caller caller, KeyRecord key, string action, CancellationToken ct) => AuthorizeKeyAsync(caller, key, action, explicitDenyOnly: true, ct);

    /// <summary>
    /// Authorizes an action that only identity policies govern (ListKeys, CreateKey …), on <paramref name="resource"/>
    /// of <paramref name="resourceAccount"/> (the caller's account when null); a resource of another account is refused.
    /// </summary>
    public async ValueTask<KmsError?> AuthorizeIdentityAsync(Caller caller, string action, string resource, string? resourceAccount, CancellationToken ct)
    {
        var identityPolicies = await IdentityPoliciesAsync(caller.Principal, ct);
        var request = AuthorizationRequest.For(caller.Principal, action, resource, resourceAccount ?? caller.Principal.AccountId, caller.Facts);
        return Decide(caller, request, PolicyEvaluator.Evaluate(request, null, identityPolicies, grantAllows: false));
    }

    /// <summary>Whether <paramref name="policy"/> would let the caller change the key policy later (the lockout safety check).</summary>
    public async ValueTask<bool> PolicyKeepsCallerInControlAsync(Caller caller, Policy policy, string keyArn, string keyAccount, CancellationToken ct)
    {
        var identityPolicies = await IdentityPoliciesAsync(caller.Principal, ct);
        var request = AuthorizationRequest.For(caller.Principal, "kms:PutKeyPolicy", keyArn, keyAccount, caller.Facts);
        return PolicyEvaluator.Evaluate(request, policy, identityPolicies, grantAllows: false).Allowed;
    }

    /// <summary>The caller's identity policies: a role session has its role's (narrowed by its session policy in the evaluator).</summary>
    public async ValueTask<IReadOnlyList<Policy>> IdentityPoliciesAsync(Principal principal, CancellationToken ct) =>
        principal.Type == PrincipalType.Root ? [] : await identities.GetPoliciesAsync(principal.PolicyArn, ct);

    private async ValueTask<bool> GrantAllowsAsync(Caller caller, KeyRecord key, string action, CancellationToken ct)
    {
        var keyGrants = await grants.GetAsync(key.Id, ct);
        if (keyGrants.Count == 0)
        {
            return false;
        }

        var operation = action.StartsWith("kms:", StringComparison.Ordinal) ? action[4..] : action;
        var facts = caller.Facts;
        var keyTakesContext = key.Spec == KeySpec.SymmetricDefault;
        // A grant to a role is a grant to its sessions too (GranteePrincipal may name the role or the session).
        var role = caller.Principal.Session?.RoleArn;
        for (var i = 0; i < keyGrants.Count; i++)
        {
            if (GrantAllows(keyGrants[i], caller.Principal.Arn, operation, facts, keyTakesContext)
                || (role is not null && GrantAllows(keyGrants[i], role, operation, facts, keyTakesContext)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool GrantAllows(GrantRecord grant, string grantee, string operation, RequestFacts facts, bool keyTakesContext) =>
        operation == "CreateGrant"
            ? GrantRules.AllowsCreateGrant(grant, grantee, facts.GrantOperations ?? [], facts.GrantConstraints)
            : GrantRules.Allows(grant, grantee, operation, facts.EncryptionContext, keyTakesContext);

    private KmsError? Decide(Caller caller, in AuthorizationRequest request, AuthorizationResult result)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.AuthorizationDecided(
                caller.RequestId,
                request.PrincipalArn,
                request.Action,
                request.ResourceArn,
                result.Allowed ? "allowed" : "denied",
                result.Decisive is { } statement ? $"{result.Source} statement {statement.Name}" : result.Source.Length > 0 ? result.Source : result.Denial.ToString());
        }

        return result.Allowed ? null : new KmsError(KmsErrorCode.AccessDenied, result.DenialMessage(request));
    }
}
